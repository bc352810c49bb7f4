/**
 * Clean vectors the engine worker handed over, by content hash. They arrive on a
 * MessagePort straight from the engine, never through the page; the page may ask
 * for a release before the vector's message is read, so a lookup waits a while for
 * it. Only the latest few are kept: a release follows its extraction closely.
 */
import { ObscuraError } from '../errors';
import type { ModelRef } from '../model-ref';
import type { CleanVector } from './release-api';
import { systemClock, type Clock } from './clock';

const KEEP = 256;

export class VectorStore {
  private readonly vectors = new Map<string, CleanVector>();
  private readonly waiters = new Map<string, ((v: CleanVector) => void)[]>();

  constructor(private readonly clock: Clock = systemClock) {}

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
    this.vectors.delete(entry.contentHash);
    this.vectors.set(entry.contentHash, entry);
    if (this.vectors.size > KEEP) this.vectors.delete(this.vectors.keys().next().value!);
    for (const resolve of this.waiters.get(entry.contentHash) ?? []) resolve(entry);
    this.waiters.delete(entry.contentHash);
  }

  /** The vector of that content, waiting up to `waitMs` for it to arrive. */
  get(contentHash: string, waitMs = 10_000): Promise<CleanVector> {
    const found = this.vectors.get(contentHash);
    if (found) return Promise.resolve(found);
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
