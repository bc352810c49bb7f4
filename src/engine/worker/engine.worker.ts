import { expose } from 'comlink';
// Named errors keep their `details` (e.g. a refusal's remaining budget) on the way to the page.
import '../../release/error-details';
import type { EngineApi } from './engine-api';
import { EngineService } from './engine-service';

const engine: EngineApi = new EngineService();
expose(engine);
