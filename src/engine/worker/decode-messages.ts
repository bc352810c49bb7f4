import type { ModelConfig } from '../model/model-config';

/** One file for the decoder thread. */
export interface DecodeRequest {
  readonly id: number;
  readonly blob: Blob;
  readonly config: ModelConfig;
  readonly name: string;
  /** A network input the engine has uploaded, handed back (transferred) to be written over. */
  readonly spare?: Float32Array;
}

/**
 * The file's network input, normalised (when it decoded at the input size), else its RGBA pixels;
 * the buffer is transferred, not copied. Or why it could not be read.
 */
export type DecodeReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly normalised?: Float32Array<ArrayBuffer>;
      readonly data?: Uint8ClampedArray<ArrayBuffer>;
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
