import * as tf from '@tensorflow/tfjs-core';
import { ObscuraError } from '../../errors';
import { activateBackend } from '../backends/activate-backend';
import { loadAllKernels } from '../backends/backend-modules';
import type { BackendName } from '../backends/backend-choice';
import { FeatureExtractor } from '../feature-extractor';
import { loadFeatureNetwork, type LoadOptions } from '../model/load-model';
import type { ModelConfig } from '../model/model-config';
import { isNetworkInput, type NetworkInput } from '../pixels-to-input';
import { memoryHandler } from './model-artifacts';

/** An image for the network: RGBA pixels, or the network's input already normalised by the decoder thread. */
export type SessionInput = ImageData | NetworkInput;

/** Builds the network on one backend: BackendSession.start, or something that wraps it. */
export type StartSession = (
  backend: BackendName,
  config: ModelConfig,
  artifacts: tf.io.ModelArtifacts,
  layer: string,
  options?: LoadOptions,
) => Promise<BackendSession>;

/** The network built on one backend. Switching backend rebuilds it from the in-memory weights. */
export class BackendSession {
  private constructor(
    readonly backend: BackendName,
    readonly extractor: FeatureExtractor,
    readonly buildMs: number,
  ) {}

  static async start(
    backend: BackendName,
    config: ModelConfig,
    artifacts: tf.io.ModelArtifacts,
    layer: string,
    options: LoadOptions = {},
  ): Promise<BackendSession> {
    await activateBackend(backend);
    const t0 = performance.now();
    let network;
    try {
      network = await loadFeatureNetwork(config, memoryHandler(artifacts), layer, options);
    } catch (err) {
      // A model other than the default may use kernels the engine does not start with: fetch them all.
      if (!MISSING_KERNEL.test((err as Error).message)) throw err;
      await loadAllKernels(backend);
      await activateBackend(backend);
      // Warmed up this time: a model that needs kernels fetched on demand shows any other gap at load.
      network = await loadFeatureNetwork(config, memoryHandler(artifacts), layer);
    }
    return new BackendSession(backend, new FeatureExtractor(config, network), performance.now() - t0);
  }

  /** Clean vectors of images; throws BackendFailedError when the backend breaks while running. */
  async extract(inputs: readonly SessionInput[]): Promise<Float32Array[]> {
    this.assertContext();
    try {
      const vectors = await withWatchdog(this.run(inputs), this.backend);
      this.assertContext();
      this.assertHealthy(vectors);
      return vectors;
    } catch (err) {
      if (err instanceof ObscuraError) throw err;
      throw new ObscuraError(
        'BackendFailedError',
        `backend "${this.backend}" failed while running: ${(err as Error).message}`,
        { backend: this.backend },
      );
    }
  }

  private async run(inputs: readonly SessionInput[]): Promise<Float32Array[]> {
    const normalised = inputs.filter(isNetworkInput);
    if (normalised.length === inputs.length) return this.extractor.extractNormalised(normalised);
    const pixels = inputs.filter((i): i is ImageData => !isNetworkInput(i));
    if (pixels.length === inputs.length) return this.extractor.extractPixels(pixels.map(pixelImage));
    // A batch of both kinds (no caller makes one today) runs an image at a time, in order.
    const out: Float32Array[] = [];
    for (const input of inputs) out.push(...(await this.run([input])));
    return out;
  }

  /**
   * A lost WebGL context does not always throw: reads may return zeros. So the
   * context is checked, and the output must be finite.
   */
  private assertContext(): void {
    if (this.backend === 'webgl' && glOf(tf.backend())?.isContextLost()) {
      throw new ObscuraError('BackendFailedError', 'the WebGL context was lost', { backend: this.backend });
    }
  }

  private assertHealthy(vectors: readonly Float32Array[]): void {
    for (const v of vectors) {
      for (let i = 0; i < v.length; i++) {
        if (!Number.isFinite(v[i]!))
          throw new ObscuraError('BackendFailedError', `backend "${this.backend}" produced a non-finite feature`, {
            backend: this.backend,
          });
      }
    }
  }

  dispose(): void {
    this.extractor.dispose();
  }
}

function pixelImage(p: ImageData) {
  return { data: p.data, width: p.width, height: p.height, channels: 4 as const };
}

/** tfjs's error for an op whose kernel is not registered on the active backend. */
const MISSING_KERNEL = /Kernel '[^']+' not registered for backend/;

/**
 * A GPU that hangs (a context lost mid-read never signals its fence) would stall
 * the engine forever; past this the backend counts as failed. Software WebGPU
 * needs about 5 s an image and 9 s for the first, so the bound is generous.
 */
const GPU_WATCHDOG_MS = 120_000;

function withWatchdog<T>(work: Promise<T>, backend: BackendName): Promise<T> {
  if (backend !== 'webgl' && backend !== 'webgpu') return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ObscuraError(
            'BackendFailedError',
            `backend "${backend}" did not answer within ${GPU_WATCHDOG_MS / 1000} s`,
            { backend },
          ),
        ),
      GPU_WATCHDOG_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function glOf(backend: unknown): WebGL2RenderingContext | undefined {
  return (backend as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
}
