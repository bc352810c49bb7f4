import type { BackendName, BackendProbe } from './backend-choice';
import { logicalCores, MIN_CORES_FOR_THREADS, wasmThreadCount } from './wasm-thread-count';
import { SIMD_PROBE } from './wasm-build';

interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** Finds out, without loading a model, which backends can start here and whether they run in software. */
export async function probeBackends(): Promise<BackendProbe[]> {
  return [
    await probeWebGpu(),
    probeWebGl(),
    probeWasm(),
    { name: 'cpu', available: true, software: true, detail: 'plain JavaScript' },
  ];
}

async function probeWebGpu(): Promise<BackendProbe> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return unavailable('webgpu', 'navigator.gpu is missing (WebGPU not enabled in this browser)');
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return unavailable('webgpu', `requestAdapter failed: ${(err as Error).message}`);
  }
  if (!adapter) return unavailable('webgpu', 'no WebGPU adapter (requestAdapter returned null)');
  const info = adapter.info ?? {};
  const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  const software = fallback || /swiftshader|llvmpipe|software|basic render/i.test(name);
  return { name: 'webgpu', available: true, software, detail: `${software ? 'software adapter' : 'adapter'}: ${name}` };
}

function probeWebGl(): BackendProbe {
  if (typeof OffscreenCanvas === 'undefined') return unavailable('webgl', 'OffscreenCanvas is missing');
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
  if (!gl) return unavailable('webgl', 'no WebGL context could be created');
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  const software = /swiftshader|llvmpipe|software|basic render/i.test(renderer);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return {
    name: 'webgl',
    available: true,
    software,
    detail: `${software ? 'software renderer' : 'renderer'}: ${renderer}`,
  };
}

function probeWasm(): BackendProbe {
  if (typeof WebAssembly !== 'object') return unavailable('wasm', 'WebAssembly is missing');
  const simd = WebAssembly.validate(SIMD_PROBE);
  return { name: 'wasm', available: true, software: false, detail: `${simd ? 'SIMD' : 'no SIMD'}, ${wasmThreads()}` };
}

/**
 * What tfjs-wasm will run: its threaded build only where SharedArrayBuffer exists (a
 * cross-origin isolated page or worker; a widget iframe only when its host is isolated
 * too) and there are enough cores for threads to pay (wasm-thread-count.ts).
 */
function wasmThreads(): string {
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    return 'single thread (not cross-origin isolated)';
  }
  const cores = logicalCores();
  const threads = wasmThreadCount(cores);
  if (threads === 1) return `single thread (${cores} cores: threads start from ${MIN_CORES_FOR_THREADS})`;
  return `${threads} threads (cross-origin isolated, ${cores} cores)`;
}

function unavailable(name: BackendName, detail: string): BackendProbe {
  return { name, available: false, software: false, detail };
}
