import type { BackendName, BackendProbe } from './backend-choice';
import { logicalCores, MIN_CORES_FOR_THREADS } from './wasm-thread-count';
import { wasmBuild, type WasmBuild } from './wasm-build';

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
  const build = wasmBuild();
  if (!build) return unavailable('wasm', 'WebAssembly is missing');
  return {
    name: 'wasm',
    available: true,
    software: false,
    detail: `${build.simd ? 'SIMD' : 'no SIMD'}, ${threads(build)}`,
  };
}

/**
 * The threads of the build wasm-build.ts chose: its threaded build only where SharedArrayBuffer exists (a
 * cross-origin isolated page or worker; a widget iframe only when its host is isolated too), SIMD is there,
 * and there are enough cores for threads to pay (wasm-thread-count.ts).
 */
function threads(build: WasmBuild): string {
  if (build.threads > 1) return `${build.threads} threads (cross-origin isolated, ${logicalCores()} cores)`;
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    return 'single thread (not cross-origin isolated)';
  }
  if (!build.simd) return 'single thread (the threaded build needs SIMD)';
  return `single thread (${logicalCores()} cores: threads start from ${MIN_CORES_FOR_THREADS})`;
}

function unavailable(name: BackendName, detail: string): BackendProbe {
  return { name, available: false, software: false, detail };
}
