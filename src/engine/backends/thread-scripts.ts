import { logicalCores, wasmThreadCount } from './wasm-thread-count';

/** The emscripten module options that decide where pthread workers load their code from, and how many start. */
interface PthreadScriptOptions {
  /** Read by the bundled factory (scripts/vite-wasm-threads.ts makes its fixed pool of 8 follow this). */
  pthreadPoolSize?: number;
  mainScriptUrlOrBlob?: string | Blob;
  locateFile?: (path: string, prefix: string) => string;
}

/**
 * Wraps tfjs-wasm's threaded emscripten factory so its pthread workers load two plain,
 * same-origin files: the factory's own script, shipped unbundled and unminified, and the
 * pthread worker script. tfjs would instead hand them the factory's source text as a Blob
 * (`factory.toString()`), which breaks once the factory is bundled and minified (it then
 * refers to names outside itself) and which a Content-Security-Policy without `blob:`
 * refuses anyway. The production build wires this in (scripts/vite-wasm-threads.ts), and sizes the
 * pool of pthread workers to the threads tfjs will run.
 */
export function withThreadScripts<C extends PthreadScriptOptions, R>(
  factory: (options: C) => R,
  mainScriptUrl: string,
  workerScriptUrl: string,
): (options: C) => R {
  const main = new URL(mainScriptUrl, self.location.href).href;
  const worker = new URL(workerScriptUrl, self.location.href).href;
  return (options) => {
    const locate = options.locateFile;
    // Set after tfjs has filled the options in, so these win over its Blob.
    options.mainScriptUrlOrBlob = main;
    // One pthread worker per thread tfjs runs, started up front (a thread asked for later would wait on a
    // worker that cannot load while the engine blocks on it), instead of emscripten's fixed 8.
    options.pthreadPoolSize = wasmThreadCount(logicalCores());
    options.locateFile = (path, prefix) =>
      path.endsWith('.worker.js') ? worker : locate ? locate(path, prefix) : prefix + path;
    return factory(options);
  };
}
