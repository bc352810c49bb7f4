/**
 * GET /sample-size: the query string read into a src/analysis sample-size question. Every
 * parameter is checked here or by the calculator, and a bad one is named in the 400.
 */
import { sampleSize, type SampleSize } from '../src/analysis/index';
import { ObscuraError } from '../src/errors';

function invalid(parameter: string, expected: string, got: string | null): ObscuraError {
  return new ObscuraError('InvalidParameterError', `${parameter} must be ${expected}, got ${got ?? 'nothing'}`, {
    parameter,
  });
}

function oneOf<T extends string>(params: URLSearchParams, name: string, values: readonly T[]): T {
  const v = params.get(name);
  if (v === null || !(values as readonly string[]).includes(v)) throw invalid(name, `one of ${values.join(', ')}`, v);
  return v as T;
}

function numberParam(params: URLSearchParams, name: string, fallback?: number): number {
  const v = params.get(name);
  if (v === null && fallback !== undefined) return fallback;
  const x = v === null || v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(x)) throw invalid(name, 'a number', v);
  return x;
}

export function answerSampleSize(params: URLSearchParams): SampleSize {
  const question = oneOf(params, 'question', ['category', 'mean'] as const);
  const alpha = numberParam(params, 'alpha', 0.05);
  const power = numberParam(params, 'power', 0.8);
  const epsilon = numberParam(params, 'epsilon');
  if (question === 'category') {
    const mechanism = oneOf(params, 'mechanism', ['krr', 'oue'] as const);
    return sampleSize({
      question,
      mechanism,
      epsilon,
      k: numberParam(params, 'k'),
      p1: numberParam(params, 'p1'),
      p2: numberParam(params, 'p2'),
      alpha,
      power,
    });
  }
  const mechanism = oneOf(params, 'mechanism', ['privunit', 'gaussian'] as const);
  return sampleSize({
    question,
    mechanism,
    epsilon,
    dims: numberParam(params, 'dims'),
    effect: numberParam(params, 'effect'),
    alpha,
    power,
    ...(mechanism === 'gaussian' ? { delta: numberParam(params, 'delta'), clip: numberParam(params, 'clip', 1) } : {}),
  });
}
