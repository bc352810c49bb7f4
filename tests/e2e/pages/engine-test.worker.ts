/**
 * The engine worker with test hooks, built only for tests (the app and the library
 * never reference this entry, so the production bundle cannot carry the hooks): it
 * counts the network's forward passes and can break the running backend on purpose.
 */
import { expose } from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import '../../../src/error-details';
import { EngineService } from '../../../src/engine/worker/engine-service';
import type { EngineApi } from '../../../src/engine/worker/engine-api';

export interface TestEngineApi extends EngineApi {
  /** Images run through the network since the worker started. */
  forwardPasses(): number;
  /** Makes the running backend fail as a lost GPU context would. */
  breakBackend(): Promise<void>;
}

class TestEngineService extends EngineService implements TestEngineApi {
  private passes = 0;

  protected override runWithFallback(pixels: readonly ImageData[]): Promise<Float32Array[]> {
    this.passes += pixels.length;
    return super.runWithFallback(pixels);
  }

  forwardPasses(): number {
    return this.passes;
  }

  async breakBackend(): Promise<void> {
    const session = this.requireSession();
    const gl = (tf.backend() as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
    if (gl) gl.getExtension('WEBGL_lose_context')?.loseContext();
    else session.extractor.dispose();
  }
}

const engine: TestEngineApi = new TestEngineService();
expose(engine);
