import { ERROR_NAMES, ObscuraError, type ObscuraErrorName } from '../../errors';
import type { ModelConfig } from '../model/model-config';
import type { DecodeReply, DecodeRequest } from './decode-messages';
import { filePixels, type PreparedFile } from './file-pixels';

/** The decoder worker's name, as the browser's tools list it. */
export const DECODER_WORKER_NAME = 'obscura-decoder';

interface Waiting {
  readonly request: DecodeRequest;
  readonly resolve: (file: PreparedFile) => void;
  readonly reject: (err: unknown) => void;
}

/** Network inputs kept for the decoder to write over: about as many as are in flight at once. */
const MAX_SPARES = 8;

/**
 * Decodes image files on a thread of their own. Drawing a bitmap to read its pixels, reading the file,
 * hashing the pixels and normalising them for the network all run on the calling thread in a worker;
 * in the engine's thread they took turns with the network. Where a worker cannot start one, the files
 * decode here as before.
 */
export class DecoderThread {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly spares: Float32Array[] = [];

  decode(blob: Blob, config: ModelConfig, name: string): Promise<PreparedFile> {
    const worker = this.start();
    if (!worker) return pixelsHere(blob, config, name);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const spare = this.spares.pop();
      const request: DecodeRequest = { id, blob, config, name, ...(spare ? { spare } : {}) };
      // The spare goes with the request (no message of its own); the copy kept for a fallback has none.
      this.waiting.set(id, { request: { id, blob, config, name }, resolve, reject });
      worker.postMessage(request, spare ? [spare.buffer] : []);
    });
  }

  /** Hands an uploaded network input back, for the decoder to write the next file's over. */
  recycle(normalised: Float32Array): void {
    if (this.worker && this.spares.length < MAX_SPARES) this.spares.push(normalised);
  }

  private start(): Worker | undefined {
    if (this.worker || this.failed) return this.worker;
    try {
      this.worker = new Worker(new URL('./decode.worker.ts', import.meta.url), {
        type: 'module',
        name: DECODER_WORKER_NAME,
      });
    } catch {
      this.failed = true;
      return undefined;
    }
    this.worker.onmessage = (event: MessageEvent<DecodeReply>) => this.settle(event.data);
    // A decoder that cannot load loses nothing: what it was given, and every later file, decode here.
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fallBack();
    };
    return this.worker;
  }

  private settle(reply: DecodeReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (reply.ok) {
      waiter.resolve({
        image: reply.normalised
          ? { normalised: reply.normalised }
          : new ImageData(reply.data!, reply.width, reply.height),
        contentHash: reply.contentHash,
        sourceWidth: reply.sourceWidth,
        sourceHeight: reply.sourceHeight,
      });
    } else {
      waiter.reject(rebuiltError(reply.name, reply.message, reply.details));
    }
  }

  private fallBack(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.failed = true;
    for (const { request, resolve, reject } of this.waiting.values())
      pixelsHere(request.blob, request.config, request.name).then(resolve, reject);
    this.waiting.clear();
    this.spares.length = 0;
  }
}

/** A file decoded on this thread, as its pixels. */
export async function pixelsHere(blob: Blob, config: ModelConfig, name: string): Promise<PreparedFile> {
  const { pixels, ...rest } = await filePixels(blob, config, name);
  return { image: pixels, ...rest };
}

function rebuiltError(name: string, message: string, details?: Record<string, unknown>): Error {
  if ((ERROR_NAMES as readonly string[]).includes(name))
    return new ObscuraError(name as ObscuraErrorName, message, details);
  const err = new Error(message);
  err.name = name;
  return err;
}
