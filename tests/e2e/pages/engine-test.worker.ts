/**
 * The engine worker with test instruments, built only for tests (the app and the library
 * never reference this entry). The engine is the production one, given a session starter
 * that watches its sessions from outside: the instruments count the network's forward
 * passes, break the running backend on purpose and read tfjs's tensor count.
 */
import { expose } from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import '../../../src/error-details';
import { EngineService } from '../../../src/engine/worker/engine-service';
import { DECODER_WORKER_NAME } from '../../../src/engine/worker/decoder-thread';
import type { EngineApi } from '../../../src/engine/worker/engine-api';
import { watchSessions } from './watched-sessions';

export interface TestEngineApi extends EngineApi {
  /** Images run through the network since the worker started. */
  forwardPasses(): number;
  /** Makes the running backend fail as a lost GPU context would. */
  breakBackend(): Promise<void>;
  /** tfjs's live tensors and their bytes in this worker. */
  memory(): { numTensors: number; numBytes: number };
  /**
   * From now on, a decoder thread this worker starts loads a script the server does not have, so it fails
   * to load as it would where the browser refuses nested workers or the file is missing. Returns how many
   * decoder threads were refused so far.
   */
  refuseDecoderThread(): number;
}

let refusedDecoders = 0;

const sessions = watchSessions();
const engine = new EngineService({ startSession: sessions.startSession });
const api: TestEngineApi = Object.assign(engine, {
  forwardPasses: () => sessions.forwardPasses(),
  async breakBackend() {
    const session = sessions.live();
    const gl = (tf.backend() as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
    if (gl) gl.getExtension('WEBGL_lose_context')?.loseContext();
    else session.extractor.dispose();
  },
  memory() {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },
  refuseDecoderThread() {
    const RealWorker = globalThis.Worker;
    if (!(RealWorker as { refusing?: boolean }).refusing)
      globalThis.Worker = class extends RealWorker {
        static refusing = true;
        constructor(url: string | URL, options?: WorkerOptions) {
          const refused = options?.name === DECODER_WORKER_NAME;
          if (refused) refusedDecoders++;
          super(refused ? new URL('/no-such-decoder.js', location.href) : url, options);
        }
      };
    return refusedDecoders;
  },
});
expose(api);
