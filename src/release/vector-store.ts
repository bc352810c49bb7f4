/**
 * Clean vectors the engine worker handed over, by content hash. They arrive on a
 * MessagePort straight from the engine, never through the page; the page may ask
 * for a release before the vector's message is read, so a lookup waits a while for
 * it. A vector is kept until the page lets go of it (`discard`, when its image is no
 * longer shown), however many images follow it; only a cap on their memory evicts the
 * oldest first, and a release of an evicted vector is a VectorExpiredError.
 */
import { ObscuraError } from '../errors';
import type { ModelRef } from '../model-ref';
import type { CleanVector } from './release-api';
import { systemClock, type Clock } from './clock';

/** The memory the vectors may hold: 64 MB is 16 384 vectors of the default model's 1 280 floats, or 170 000 of 96. */
export const VECTOR_BYTES_MAX = 64 * 1024 * 1024;
/** How many evicted contents are remembered, so their release says "expired" rather than "unknown". */
const EVICTED_REMEMBERED = 4096;

export class VectorStore {
  private readonly vectors = new Map<string, CleanVector>();
  private readonly waiters = new Map<string, ((v: CleanVector) => void)[]>();
  private readonly evicted = new Set<string>();
  private bytes = 0;

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly bytesMax = VECTOR_BYTES_MAX,
  ) {}

  /** Listens on a port the engine worker posts each extraction's clean vector to. */
  accept(port: MessagePort): void {
    port.onmessage = (event: MessageEvent<unknown>) => {
      const v = event.data as Partial<CleanVector> | null;
      if (v && typeof v.contentHash === 'string' && v.vector instanceof Float32Array && isModelRef(v.model))
        this.put({ contentHash: v.contentHash, vector: v.vector, model: v.model });
    };
    port.start();
  }

  put(entry: CleanVector): void {
    this.remove(entry.contentHash);
    this.evicted.delete(entry.contentHash);
    this.vectors.set(entry.contentHash, entry);
    this.bytes += entry.vector.byteLength;
    while (this.bytes > this.bytesMax && this.vectors.size > 1) {
      const oldest = this.vectors.keys().next().value!;
      this.remove(oldest);
      this.evicted.add(oldest);
      if (this.evicted.size > EVICTED_REMEMBERED) this.evicted.delete(this.evicted.values().next().value!);
    }
    for (const resolve of this.waiters.get(entry.contentHash) ?? []) resolve(entry);
    this.waiters.delete(entry.contentHash);
  }

  /** Lets go of these contents' vectors: their images are no longer shown. */
  discard(contentHashes: readonly string[]): void {
    for (const hash of contentHashes) {
      this.remove(hash);
      this.evicted.delete(hash);
    }
  }

  /** How many vectors are held and their bytes. */
  size(): { vectors: number; bytes: number } {
    return { vectors: this.vectors.size, bytes: this.bytes };
  }

  private remove(contentHash: string): void {
    const held = this.vectors.get(contentHash);
    if (!held) return;
    this.bytes -= held.vector.byteLength;
    this.vectors.delete(contentHash);
  }

  /** The vector of that content, waiting up to `waitMs` for it to arrive. */
  get(contentHash: string, waitMs = 10_000): Promise<CleanVector> {
    const found = this.vectors.get(contentHash);
    if (found) return Promise.resolve(found);
    if (this.evicted.has(contentHash))
      return Promise.reject(
        new ObscuraError(
          'VectorExpiredError',
          `the clean vector of content ${contentHash} was let go to bound memory (${this.bytesMax} bytes of ` +
            'vectors wait for release); extract the image again',
          { contentHash },
        ),
      );
    return new Promise((resolve, reject) => {
      const timer = this.clock.schedule(() => {
        const list = this.waiters.get(contentHash)?.filter((w) => w !== done) ?? [];
        if (list.length > 0) this.waiters.set(contentHash, list);
        else this.waiters.delete(contentHash);
        reject(
          new ObscuraError(
            'UnknownContentError',
            `no extraction of content ${contentHash} reached the release worker; extract the image first`,
          ),
        );
      }, waitMs);
      const done = (v: CleanVector) => {
        this.clock.cancel(timer);
        resolve(v);
      };
      this.waiters.set(contentHash, [...(this.waiters.get(contentHash) ?? []), done]);
    });
  }
}

function isModelRef(m: unknown): m is ModelRef {
  const r = m as Partial<ModelRef> | null | undefined;
  return typeof r?.id === 'string' && typeof r.layer === 'string' && typeof r.dims === 'number';
}
