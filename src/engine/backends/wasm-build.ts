/**
 * Which of tfjs-wasm's three builds this context runs, decided without tfjs: the engine tells tfjs
 * (activate-backend.ts) and a page may fetch the same file ahead of the engine's worker
 * (EngineBridge.preloadModel), so both always name one file.
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { logicalCores, wasmThreadCount } from './wasm-thread-count';

/** The bundler fingerprints the binaries: tfjs is told each file's URL. */
export const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
} as const;

export interface WasmBuild {
  readonly simd: boolean;
  /** 1 for the single-thread builds. */
  readonly threads: number;
  /** The build's URL, as the bundle names it. */
  readonly url: string;
}

/** A minimal module using one SIMD instruction (i8x16.splat): validates only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/**
 * The build for this context, or undefined without WebAssembly. Threads need shared memory (a cross-origin
 * isolated page or worker) and enough cores to pay (wasm-thread-count.ts); the threaded build is SIMD only.
 */
export function wasmBuild(): WasmBuild | undefined {
  if (typeof WebAssembly !== 'object') return undefined;
  const simd = WebAssembly.validate(SIMD_PROBE);
  const threads = simd && sharedMemory() ? wasmThreadCount(logicalCores()) : 1;
  const url = simd ? (threads > 1 ? wasmThreadedSimd : wasmSimd) : wasmPlain;
  return { simd, threads, url };
}

function sharedMemory(): boolean {
  return (
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true &&
    typeof SharedArrayBuffer === 'function'
  );
}
