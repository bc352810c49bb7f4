import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/base';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { ObscuraError } from '../../errors';
import { keepWasmBuild } from './wasm-cache';
import { logicalCores, wasmThreadCount } from './wasm-thread-count';
import { loadBackend } from './backend-modules';
import type { BackendName } from './backend-choice';

// tfjs-wasm picks its build itself: the threaded SIMD one where the page is cross-origin
// isolated, the single-thread SIMD one elsewhere. Threads are sized here from the cores
// (wasm-thread-count.ts): below 4 cores the single-thread build runs even when isolated.
// The threaded build's pthread workers load unbundled scripts (scripts/vite-wasm-threads.ts).

// The bundler fingerprints the binaries, so tfjs is told each file's URL.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

/**
 * Makes `name` tfjs's active backend. tf.setBackend resolves false (and tfjs stays
 * on whatever it had) when a backend cannot start, so the result is checked.
 */
export async function activateBackend(name: BackendName): Promise<void> {
  let ok = false;
  let cause = '';
  try {
    await loadBackend(name);
    if (name === 'wasm') sizeWasmThreads();
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (err) {
    cause = `: ${(err as Error).message}`;
  }
  if (!ok || tf.getBackend() !== name) {
    throw new ObscuraError(
      'BackendUnavailableError',
      `backend "${name}" did not start${cause || ` (tfjs is on "${tf.getBackend()}")`}`,
      { backend: name },
    );
  }
  // The production app works offline: it keeps the build tfjs chose (the same test tfjs makes).
  if (name === 'wasm' && import.meta.env.PROD) void keepWasmBuild(await chosenWasmUrl());
}

/**
 * Starts the download of the WASM build tfjs-wasm will load, into the HTTP cache (it is fingerprinted and
 * immutable), so that the backend's own fetch finds it there or joins it under way. For the engine to call
 * before it probes the other backends and reads its cached choice, when WASM will run whatever they find;
 * a failure is left to the backend's start, which fetches again and says why.
 */
export async function prefetchWasmBuild(): Promise<void> {
  if (typeof WebAssembly !== 'object') return;
  try {
    sizeWasmThreads();
    const response = await fetch(await chosenWasmUrl(), { credentials: 'same-origin' });
    await response.arrayBuffer();
  } catch {
    // Offline or refused: the backend's start fetches it again, and fails with the reason if it must.
  }
}

/** Tells tfjs-wasm the thread count for these cores, before its backend starts (it reads it once). */
function sizeWasmThreads(): void {
  const threads = wasmThreadCount(logicalCores());
  if (threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else setThreadsCount(threads);
}

async function chosenWasmUrl(): Promise<string> {
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return simd ? (threads ? wasmThreadedSimd : wasmSimd) : wasmPlain;
}
