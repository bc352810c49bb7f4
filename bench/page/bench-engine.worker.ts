/**
 * The engine worker with a benchmark beside it, built only for bench/: the production engine,
 * whose live session the benchmark times (pipeline vs bare network) once init has chosen it.
 */
import { expose } from 'comlink';
import '../../src/error-details';
import { EngineService } from '../../src/engine/worker/engine-service';
import type { EngineApi } from '../../src/engine/worker/engine-api';
import { watchSessions } from '../../tests/e2e/pages/watched-sessions';
import { runBench, type BenchOptions, type BenchResult } from './engine-bench';

export interface BenchEngineApi extends EngineApi {
  bench(pixels: ImageData, options: BenchOptions): Promise<BenchResult>;
}

const sessions = watchSessions();
const engine = new EngineService({ startSession: sessions.startSession });
const api: BenchEngineApi = Object.assign(engine, {
  bench: (pixels: ImageData, options: BenchOptions) => runBench(sessions.live(), pixels, options),
});
expose(api);
