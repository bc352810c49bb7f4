// Shared pieces of the privacy audits: N runs per input, and the Clopper–Pearson
// bounds on the privacy loss of a distinguishing event.
import { incompleteBeta } from '../../../src/privacy/math/special';
import { ALPHA, clopperPearson } from '../../support/stats';

export const N = 1_000_000;

/** Counts how often `event` holds over `n` releases. */
export function frequency(release: () => boolean, n = N): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (release()) c++;
  return c;
}

/** Bounds on ln(P₁/P₂) from two counts: the lower one uses P₁'s lower and P₂'s upper Clopper–Pearson limits. */
export function lossBounds(k1: number, k2: number, n = N): { lower: number; point: number } {
  const a = interval(k1, n);
  const b = interval(k2, n);
  return { lower: Math.log(a.lower / b.upper), point: Math.log(k1 / k2) };
}

/** Clopper–Pearson interval of a count out of `n`. */
export function interval(k: number, n = N): { lower: number; upper: number } {
  return clopperPearson(k, n, ALPHA, incompleteBeta);
}
