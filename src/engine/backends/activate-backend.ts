import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/base';
import { ObscuraError } from '../../errors';
import { keepWasmBuild } from './wasm-cache';
import { loadBackend } from './backend-modules';
import { WASM_PATHS, wasmBuild } from './wasm-build';
import type { BackendName } from './backend-choice';

// tfjs-wasm would pick its build itself; it is told the build wasm-build.ts chooses (the threaded SIMD one
// where the context is cross-origin isolated and has the cores for threads, else the single-thread SIMD
// one), so that the file a page fetches ahead of the engine is the file tfjs loads. The threaded build's
// pthread workers load unbundled scripts (scripts/vite-wasm-threads.ts).
setWasmPaths(WASM_PATHS);

/**
 * Makes `name` tfjs's active backend. tf.setBackend resolves false (and tfjs stays
 * on whatever it had) when a backend cannot start, so the result is checked.
 */
export async function activateBackend(name: BackendName): Promise<void> {
  let ok = false;
  let cause = '';
  let wasmUrl: string | undefined;
  try {
    await loadBackend(name);
    if (name === 'wasm') wasmUrl = useWasmBuild().url;
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
  // The production app works offline: it keeps the build tfjs was told to load.
  if (wasmUrl && import.meta.env.PROD) void keepWasmBuild(wasmUrl);
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
    const response = await fetch(useWasmBuild().url, { credentials: 'same-origin' });
    await response.arrayBuffer();
  } catch {
    // Offline or refused: the backend's start fetches it again, and fails with the reason if it must.
  }
}

/** Tells tfjs-wasm the build for this context (wasm-build.ts), before its backend starts (it reads it once). */
function useWasmBuild(): { url: string } {
  const build = wasmBuild();
  if (!build) return { url: WASM_PATHS['tfjs-backend-wasm.wasm'] };
  tf.env().set('WASM_HAS_SIMD_SUPPORT', build.simd);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', build.threads > 1);
  if (build.threads > 1) setThreadsCount(build.threads);
  return build;
}
