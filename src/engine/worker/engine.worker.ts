// First: the page hears that this script has arrived before tfjs is evaluated.
import './announce-arrival';
import { expose } from 'comlink';
// Named errors keep their `details` (e.g. the backend that failed) on the way to the page.
import '../../error-details';
import type { EngineApi } from './engine-api';
import { EngineService } from './engine-service';
import { markStartup } from './startup-marks';

const engine: EngineApi = new EngineService();
expose(engine);
markStartup('evaluated');
