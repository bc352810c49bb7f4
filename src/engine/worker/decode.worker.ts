/**
 * The engine's decoder thread: image files are read, decoded, drawn to pixels and hashed here, so the
 * engine's own thread spends its time on the network alone.
 */
import { describeError } from '../../errors';
import type { DecodeReply, DecodeRequest } from './decode-messages';
import { filePixels } from './file-pixels';

self.onmessage = async (event: MessageEvent<DecodeRequest>) => {
  const { id, blob, config, name } = event.data;
  let reply: DecodeReply;
  try {
    const read = await filePixels(blob, config, name);
    const data = read.pixels.data as Uint8ClampedArray<ArrayBuffer>;
    reply = {
      id,
      ok: true,
      data,
      width: read.pixels.width,
      height: read.pixels.height,
      contentHash: read.contentHash,
      sourceWidth: read.sourceWidth,
      sourceHeight: read.sourceHeight,
    };
    self.postMessage(reply, { transfer: [data.buffer] });
  } catch (err) {
    const details = (err as { details?: Record<string, unknown> } | null)?.details;
    reply = { id, ok: false, ...describeError(err), ...(details ? { details } : {}) };
    self.postMessage(reply);
  }
};
