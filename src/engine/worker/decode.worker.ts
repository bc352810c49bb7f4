/**
 * The engine's decoder thread: image files are read, decoded, drawn to pixels, hashed and written as
 * the network's normalised input here, so the engine's own thread spends its time on the network alone.
 */
import { describeError } from '../../errors';
import { isInputSized, writeNetworkInput } from '../pixels-to-input';
import type { DecodeReply, DecodeRequest } from './decode-messages';
import { filePixels } from './file-pixels';

/**
 * Inputs the engine has handed back. Written over instead of allocated: a fresh 600 KB buffer an image
 * is garbage in two threads, and the collectors of both ran for it.
 */
const spares: Float32Array<ArrayBuffer>[] = [];

self.onmessage = async (event: MessageEvent<DecodeRequest>) => {
  const { id, blob, config, name, spare } = event.data;
  if (spare) spares.push(spare as Float32Array<ArrayBuffer>);
  let reply: DecodeReply;
  try {
    const read = await filePixels(blob, config, name);
    const { width, height } = read.pixels;
    const found = { id, ok: true as const, width, height, ...hashAndSize(read) };
    const image = { data: read.pixels.data, width, height, channels: 4 as const };
    if (isInputSized(image, config)) {
      const normalised = inputBuffer(height * width * 3);
      writeNetworkInput(image, config, normalised, 0);
      discard(read.pixels.data.buffer as ArrayBuffer);
      reply = { ...found, normalised };
      self.postMessage(reply, { transfer: [normalised.buffer] });
    } else {
      const data = read.pixels.data as Uint8ClampedArray<ArrayBuffer>;
      reply = { ...found, data };
      self.postMessage(reply, { transfer: [data.buffer] });
    }
  } catch (err) {
    const details = (err as { details?: Record<string, unknown> } | null)?.details;
    reply = { id, ok: false, ...describeError(err), ...(details ? { details } : {}) };
    self.postMessage(reply);
  }
};

function hashAndSize(read: { contentHash: string; sourceWidth: number; sourceHeight: number }) {
  return { contentHash: read.contentHash, sourceWidth: read.sourceWidth, sourceHeight: read.sourceHeight };
}

/**
 * A port whose other end is closed: a buffer transferred into a message on it is freed when the message
 * is dropped, at once. Left to this thread's collector, which runs seldom here (the thread makes little
 * else), 200 KB of pixels an image waited for it tens of MB at a time.
 */
let sink: MessagePort | undefined;

function discard(buffer: ArrayBuffer): void {
  if (!sink) {
    const channel = new MessageChannel();
    channel.port2.close();
    sink = channel.port1;
  }
  sink.postMessage(null, [buffer]);
}

/** A spare of this length (every value is written), or a new one; spares of another model's size are dropped. */
function inputBuffer(length: number): Float32Array<ArrayBuffer> {
  for (let spare = spares.pop(); spare; spare = spares.pop()) if (spare.length === length) return spare;
  return new Float32Array(length);
}
