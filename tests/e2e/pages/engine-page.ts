// Test page: puts the engine's and the release path's main-thread API on window so browser tests can drive them.
import type { Remote } from 'comlink';
import { EngineBridge, type EngineBridgeOptions } from '../../../src/client/engine-bridge';
import { ReleaseBridge } from '../../../src/client/release-bridge';
import { listCameras, openCamera, snapshot, stopStream } from '../../../src/client/camera';
import { sampleVideoFrames } from '../../../src/client/video-frames';
import type { Extraction, ImageInput } from '../../../src/engine/worker/engine-api';
import type { ReleaseOptions } from '../../../src/release/release-api';
import type { TestEngineApi } from './engine-test.worker';
import type { TestReleaseApi } from './release-test.worker';
import { resizedPixels } from './resized-pixels';

/** An extraction as plain JSON (typed arrays do not survive page.evaluate). */
export interface PlainExtraction {
  vector: number[];
  backend: string;
  contentHash: string;
  sourceWidth: number;
  sourceHeight: number;
}
export type Outcome = { ok: true; value: PlainExtraction } | { ok: false; error: { name: string; message: string } };

const plain = (e: Extraction): PlainExtraction => ({
  vector: Array.from(e.vector),
  backend: e.backend,
  contentHash: e.contentHash,
  sourceWidth: e.sourceWidth,
  sourceHeight: e.sourceHeight,
});

const testEngineWorker = () =>
  new Worker(new URL('./engine-test.worker.ts', import.meta.url), { type: 'module', name: 'obscura-engine-test' });
const testReleaseWorker = () =>
  new Worker(new URL('./release-test.worker.ts', import.meta.url), { type: 'module', name: 'obscura-release-test' });
/** The production release worker with its whole-store reads counted (counted-release.worker.ts). */
const countedReleaseWorker = () =>
  new Worker(new URL('./counted-release.worker.ts', import.meta.url), {
    type: 'module',
    name: 'obscura-release-counted',
  });

let bridge: EngineBridge | undefined;
let releases: ReleaseBridge | undefined;

async function fixture(path: string): Promise<Blob> {
  const res = await fetch(`/__fixtures__/${path}`);
  if (!res.ok) throw new Error(`fixture ${path}: HTTP ${res.status}`);
  return res.blob();
}

/** The page's release worker (the test entry, with a clock tests can move); started on first use. */
function releaseBridge(): ReleaseBridge {
  releases ??= new ReleaseBridge({ createWorker: testReleaseWorker });
  return releases;
}

/** Extracts, then releases by content hash: the way the app releases. */
async function release(input: ImageInput, options: ReleaseOptions, name?: string) {
  const extraction = await bridge!.extract(input, name ? { name } : {});
  const outcome = await releaseBridge().release(extraction.contentHash, options);
  return { extraction, outcome };
}

export const api = {
  EngineBridge,
  /** The production bridge class, whose default worker is the real release worker entry. */
  ReleaseBridge,
  countedReleaseWorker,
  listCameras,
  openCamera,
  snapshot,
  stopStream,
  sampleVideoFrames,
  fixture,
  /** Starts (or restarts) the page's engine (test entry) with these options, joined to the release worker. */
  async start(options: EngineBridgeOptions) {
    bridge?.stop();
    bridge = new EngineBridge({ createWorker: testEngineWorker, release: releaseBridge(), ...options });
    return bridge.start();
  },
  bridge: () => bridge!,
  releases: releaseBridge,
  /** The release worker's test API (its clock). */
  releaseTest: () => releaseBridge().api() as unknown as Remote<TestReleaseApi>,
  /** The engine worker's test API (forward-pass count, breaking a backend, tensor count). */
  async engineTest() {
    return (await bridge!.engine()) as unknown as Remote<TestEngineApi>;
  },
  /** Starts a fresh engine and returns every loading-progress event it reported. */
  async progressOfStart(options: EngineBridgeOptions) {
    const events: { phase: string; fraction: number }[] = [];
    const b = new EngineBridge({ ...options, onLoadProgress: (p) => events.push({ ...p }) });
    await b.start();
    b.stop();
    return events;
  },
  /** Extracts each fixture in turn; errors are returned by name, not thrown. */
  async extractFixtures(paths: string[]): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for (const p of paths) {
      try {
        out.push({ ok: true, value: plain(await bridge!.extract(await fixture(p), { name: p })) });
      } catch (err) {
        out.push({ ok: false, error: { name: (err as Error).name, message: (err as Error).message } });
      }
    }
    return out;
  },
  /** Extracts the fixtures in one streamed call; returns the items in the order they were heard. */
  async extractEachFixtures(paths: string[]): Promise<{ index: number; outcome: Outcome }[]> {
    const heard: { index: number; outcome: Outcome }[] = [];
    const blobs = await Promise.all(paths.map((p) => fixture(p)));
    await bridge!.extractEach(blobs, {
      names: paths,
      onItem: (index, item) => heard.push({ index, outcome: item.ok ? { ok: true, value: plain(item.value) } : item }),
    });
    return heard;
  },
  plain,
  release,
  releaseWithClean,
  /** The RGBA pixels the worker sees for a file (decoded and resized the same way), base64. */
  async workerPixels(path: string, size: number): Promise<string> {
    const { data } = await resizedPixels(await fixture(path), size);
    let s = '';
    for (let i = 0; i < data.length; i++) s += String.fromCharCode(data[i]!);
    return btoa(s);
  },
  /** Releases each fixture in turn; refusals are returned by name. */
  async releaseFixtures(paths: string[], options: ReleaseOptions): Promise<ReleaseOutcomeSummary[]> {
    return Promise.all(
      paths.map(async (p) => {
        try {
          const { outcome } = await release(await fixture(p), options, p);
          return {
            ok: true as const,
            id: outcome.report.id,
            charged: outcome.charged,
            remaining: outcome.budget.remaining,
            ...(outcome.kind === 'vector' ? { cosine: outcome.cosine } : {}),
          };
        } catch (err) {
          return { ok: false as const, name: (err as Error).name, message: (err as Error).message };
        }
      }),
    );
  },
};

/** Releases one image (file or camera snapshot) and returns the clean vector too, for audits. */
export async function releaseWithClean(input: Blob | ImageBitmap, options: ReleaseOptions) {
  const { extraction, outcome } = await release(input, options);
  return {
    clean: Array.from(extraction.vector),
    report: outcome.report,
    charged: outcome.charged,
    ...(outcome.kind === 'vector' ? { cosine: outcome.cosine } : {}),
  };
}

export type ReleaseOutcomeSummary =
  | { ok: true; id: string; charged: boolean; remaining: number; cosine?: number }
  | { ok: false; name: string; message: string };

(window as unknown as { obscura: typeof api }).obscura = api;
document.documentElement.dataset['ready'] = 'true';
