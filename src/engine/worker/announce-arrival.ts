// The engine worker's first import: evaluated before the modules after it (see script-arrived.ts).
import { SCRIPT_ARRIVED } from './script-arrived';
import { markStartup } from './startup-marks';

markStartup('arrived');
postMessage({ [SCRIPT_ARRIVED]: true });
