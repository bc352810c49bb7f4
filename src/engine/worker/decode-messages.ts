import type { ModelConfig } from '../model/model-config';

/** One file for the decoder thread. */
export interface DecodeRequest {
  readonly id: number;
  readonly blob: Blob;
  readonly config: ModelConfig;
  readonly name: string;
}

/** Its pixels (the buffer transferred, not copied), or why it could not be read. */
export type DecodeReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly data: Uint8ClampedArray<ArrayBuffer>;
      readonly width: number;
      readonly height: number;
      readonly contentHash: string;
      readonly sourceWidth: number;
      readonly sourceHeight: number;
    }
  | {
      readonly id: number;
      readonly ok: false;
      readonly name: string;
      readonly message: string;
      readonly details?: Record<string, unknown>;
    };
