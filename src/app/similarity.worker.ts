/**
 * Calibrates a mechanism for the expected similarity the privacy controls show, off the page's main
 * thread: a calibration is milliseconds of numerical optimisation, which the page's start is better
 * without. One call, then the page lets the worker go.
 */
import { expose } from 'comlink';
import { expectedCosine } from '../release/index';

const api = { expectedCosine };
export type SimilarityApi = typeof api;
expose(api);
