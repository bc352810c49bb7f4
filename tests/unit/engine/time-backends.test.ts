import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeBackends } from '../../../src/engine/worker/time-backends';
import type { BackendSession, StartSession } from '../../../src/engine/worker/backend-session';
import type { BackendName } from '../../../src/engine/backends/backend-choice';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';

// The probe image is ImageData, a browser class; here it only carries the pixels.
(globalThis as { ImageData?: unknown }).ImageData ??= class {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
};

/**
 * Sessions whose runs take the scripted milliseconds on an injected clock; records every run, start,
 * dispose and the order the backends were started in.
 */
function scripted(runs: Partial<Record<BackendName, number[]>>, failing: BackendName[] = []) {
  let clock = 0;
  const ran: Partial<Record<BackendName, number>> = {};
  const started: BackendName[] = [];
  const disposed: BackendName[] = [];
  const startSession: StartSession = async (backend) => {
    started.push(backend);
    if (failing.includes(backend)) throw new Error(`${backend} has no device`);
    const session = {
      backend,
      async extract() {
        const n = ran[backend] ?? 0;
        ran[backend] = n + 1;
        clock += runs[backend]![n]!;
        return [new Float32Array(1)];
      },
      dispose: () => disposed.push(backend),
    };
    return session as unknown as BackendSession;
  };
  return { startSession, now: () => clock, ran, started, disposed };
}

const time = (s: ReturnType<typeof scripted>, candidates: BackendName[]) =>
  timeBackends(candidates, MOBILENET_V2, { modelTopology: {} }, 'layer', s.startSession, s.now);

test('WASM is timed first; a backend whose median can no longer win stops after two slow runs', async () => {
  const s = scripted({ webgpu: [900, 800, 1], webgl: [50, 60, 30], wasm: [40, 41, 39], cpu: [300, 10, 10] });
  const result = await time(s, ['webgpu', 'webgl', 'wasm', 'cpu']);
  assert.deepEqual(s.started, ['wasm', 'webgpu', 'webgl', 'cpu']);
  assert.deepEqual(s.ran, { wasm: 3, webgpu: 2, webgl: 2, cpu: 3 });
  // A stopped backend's timing is the fastest of its runs: a lower bound of its median, still above the best.
  assert.deepEqual(result.timings, { wasm: 40, webgpu: 800, webgl: 50, cpu: 10 });
  // One slow first run does not decide: the CPU backend's median (10) beats WASM's (40).
  assert.equal(result.best?.backend, 'cpu');
  assert.deepEqual(s.disposed, ['webgpu', 'webgl', 'wasm']);
});

test('a faster backend is timed in full and keeps its session; the slower ones are disposed', async () => {
  const s = scripted({ webgpu: [12, 8, 10], wasm: [40, 40, 40], cpu: [500, 500, 500] });
  const result = await time(s, ['webgpu', 'wasm', 'cpu']);
  assert.deepEqual(s.ran, { wasm: 3, webgpu: 3, cpu: 2 });
  assert.equal(result.best?.backend, 'webgpu');
  assert.equal(result.timings.webgpu, 10);
  assert.deepEqual(s.disposed, ['wasm', 'cpu']);
});

test('a backend that fails to start is reported and the others are still timed', async () => {
  const s = scripted({ wasm: [40, 40, 40], cpu: [90, 90, 90] }, ['webgl']);
  const result = await time(s, ['webgl', 'wasm', 'cpu']);
  assert.deepEqual(result.failures, [{ backend: 'webgl', message: 'webgl has no device' }]);
  assert.equal(result.best?.backend, 'wasm');
  assert.deepEqual(Object.keys(result.timings).sort(), ['cpu', 'wasm']);
});
