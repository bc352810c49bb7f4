import { expose } from 'comlink';
// Named errors keep their `details` (e.g. the backend that failed) on the way to the page.
import '../../error-details';
import type { EngineApi } from './engine-api';
import { EngineService } from './engine-service';
import { markStartup } from './startup-marks';

const engine: EngineApi = new EngineService();
expose(engine);
markStartup('evaluated');
