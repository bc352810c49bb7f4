import { expose } from 'comlink';
import type { EngineApi } from './engine-api';
import { EngineService } from './engine-service';

const engine: EngineApi = new EngineService();
expose(engine);
