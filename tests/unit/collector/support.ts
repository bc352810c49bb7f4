// Shared pieces of the collector tests: a seeded PRNG, report builders, a statistical bound.
import {
  cryptoRandomSource,
  prepareVector,
  privatizeCategory,
  privatizeVector,
  type CategoryMechanismParams,
  type VectorMechanismParams,
  type VectorMechanismRecord,
} from '../../../src/privacy/index';
import { buildCategoryReport, buildVectorReport } from '../../../src/report/build-report';
import { buildReport } from '../../support/any-report';
import { projectionFor } from '../../../src/report/privatize-features';
import type { CategoryReport, Report, VectorReport } from '../../../src/report/schema';
import type { TaskInput } from '../../../src/report/task';

/**
 * SplitMix32-style seeded generator (not for releases; only to make simulated data
 * reproducible). Returns uniform doubles in [0, 1) with 32 random bits.
 */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 2 ** 32;
  };
}

/** k-RR simulated independently of the privacy core: keep the value with probability p, else a uniform other one. */
export function simulateKrr(value: number, k: number, epsilon: number, u: () => number): number {
  const e = Math.exp(epsilon);
  if (u() < e / (e + k - 1)) return value;
  const other = Math.floor(u() * (k - 1));
  return other >= value ? other + 1 : other;
}

/** OUE simulated independently: bit v set with probability 1/2, every other bit with 1/(e^ε+1). */
export function simulateOue(value: number, k: number, epsilon: number, u: () => number): (0 | 1)[] {
  const q = 1 / (Math.exp(epsilon) + 1);
  return Array.from({ length: k }, (_, i) => (u() < (i === value ? 0.5 : q) ? 1 : 0));
}

/**
 * Bernstein's inequality for the mean of n independent variables in [0, 1] with
 * variance σ²: P(|mean − E| ≥ t) ≤ 2·exp(−n t² / (2σ² + 2t/3)). Returns the t at
 * which that bound equals alpha. Exact for every n (no normal approximation).
 */
export function bernsteinHalfWidth(n: number, variance: number, alpha: number): number {
  const L = Math.log(2 / alpha);
  const a = L / (3 * n);
  return a + Math.sqrt(a * a + (2 * variance * L) / n);
}

const MODEL = { id: 'mobilenet_v2', layer: 'global_average_pooling2d', dims: 4 } as const;
let counter = 0;

/** A unique, valid report id. */
export function nextId(prefix = 'r'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

type LaplaceRecord = Extract<VectorReport['mechanism'], { name: 'laplace' }>;

/**
 * The parameters a real Laplace release of `dims` values carries, as the privacy core writes
 * them (its grid step is 2^-11 or finer, so integers and halves are on it).
 */
export function laplaceMechanism(dims: number, epsilon = 1, clip = 1): LaplaceRecord {
  const params = { name: 'laplace', epsilon, clip } as const;
  const x = new Float64Array(dims).fill(1);
  return privatizeVector(prepareVector(x, params), params, cryptoRandomSource).mechanism as LaplaceRecord;
}

function context(scope: string, dims: number, id: string) {
  return { scope, model: { ...MODEL, dims }, projection: null, source: cryptoRandomSource, id };
}

/**
 * A report built by src/report/build-report.ts around known values with a real Laplace
 * release's parameters: the collector does not re-noise, it averages, so known values give
 * exact expected means. Any value on the grid within the clamp passes every check.
 */
export function vectorReport(
  vector: readonly number[],
  scope = 'test',
  mechanism: VectorMechanismRecord = laplaceMechanism(vector.length),
): VectorReport {
  return buildVectorReport({ vector: Float64Array.from(vector), mechanism }, context(scope, vector.length, nextId()));
}

/** A k-RR report of a simulated value (the estimator is tested against an independent simulation). */
export function krrReport(
  value: number,
  k: number,
  epsilon: number,
  scope: string,
  codebook = 'fmnist-10',
): CategoryReport {
  const release = { category: { k, value }, mechanism: { name: 'krr', epsilon, delta: 0 } } as const;
  return buildCategoryReport(release, codebook, context(scope, MODEL.dims, nextId('c')));
}

export function oueReport(bits: (0 | 1)[], epsilon: number, scope: string, codebook = 'fmnist-10'): CategoryReport {
  const release = { category: { k: bits.length, bits }, mechanism: { name: 'oue', epsilon, delta: 0 } } as const;
  return buildCategoryReport(release, codebook, context(scope, MODEL.dims, nextId('o')));
}

/** POSTs a report (or raw text) the way the app's reporter does. */
export function postReport(base: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const id =
    typeof body === 'object' && body !== null && 'id' in body ? String((body as { id: unknown }).id) : undefined;
  return fetch(`${base}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(id ? { 'idempotency-key': id } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The default model's layer at its 96 dims; a test layer of the same model at any other size. */
function releasedModel(dims: number) {
  return { id: 'mobilenet_v2', layer: dims === 96 ? 'block_12_add' : 'test_features', dims };
}

/**
 * A real report, as the release path builds it: a random unit vector through the
 * privacy core's mechanism (Web Crypto randomness) and src/report/build-report; projected
 * to `projectTo` dimensions with the device's own projection when given.
 */
export function releasedReport(
  scope: string,
  params: VectorMechanismParams | CategoryMechanismParams = { name: 'privunit', epsilon: 4 },
  dims = 96,
  projectTo?: number,
): Report {
  const projection = projectTo === undefined ? undefined : projectionFor(dims, projectTo);
  const context = {
    scope,
    model: releasedModel(dims),
    projection: projection ? { id: projection.id, dims: projection.dims } : null,
    source: cryptoRandomSource,
  };
  if (params.name === 'krr' || params.name === 'oue') {
    const value = Math.floor((crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32) * params.k);
    return buildReport({
      ...context,
      release: privatizeCategory(value, params, cryptoRandomSource),
      codebook: 'fashion-10',
    });
  }
  const x = new Float64Array(dims).map(() => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32 - 0.5);
  const vectorParams = params as VectorMechanismParams;
  const prepared = prepareVector(x, vectorParams, projection);
  return buildReport({ ...context, release: privatizeVector(prepared, vectorParams, cryptoRandomSource) });
}

/*
 * Tasks for the reports above: a test collector takes only the scopes it declares
 * (startCollector({ tasks: [...] })), each with one mechanism and its allowed ε values.
 */

/** The task of `vectorReport`'s reports: Laplace over the test model's `dims` values. */
export function laplaceTask(scope: string, epsilon: number | number[] = 1, dims = 4, clip?: number): TaskInput {
  return { scope, mechanism: 'laplace', epsilon, model: { ...MODEL, dims }, ...(clip ? { clip } : {}) };
}

/** The task of `krrReport` / `oueReport` reports: a codebook of k labels over the test model. */
export function categoryTask(
  scope: string,
  mechanism: 'krr' | 'oue',
  epsilon: number | number[],
  k: number,
  codebook = 'fmnist-10',
): TaskInput {
  return { scope, mechanism, epsilon, codebook, k, model: MODEL };
}

/** The task of `releasedReport`'s reports with these parameters (category: the fashion-10 codebook). */
export function releasedTask(
  scope: string,
  params: VectorMechanismParams | CategoryMechanismParams = { name: 'privunit', epsilon: 4 },
  dims = 96,
  projectTo?: number,
): TaskInput {
  const model = releasedModel(dims);
  if (params.name === 'krr' || params.name === 'oue')
    return { scope, mechanism: params.name, epsilon: params.epsilon, codebook: 'fashion-10', k: params.k, model };
  return {
    scope,
    mechanism: params.name,
    epsilon: params.epsilon,
    model,
    ...(projectTo !== undefined ? { dims: projectTo } : {}),
    ...('delta' in params ? { delta: params.delta } : {}),
    ...('clip' in params && params.clip !== undefined ? { clip: params.clip } : {}),
  };
}
