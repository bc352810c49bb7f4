// An exact privacy-loss-distribution composition for the tests, independent of src/privacy/pld.ts:
// each pure-ε release (Laplace, k-RR, PrivUnit) as randomized response's two-point loss ±ε, an (ε, δ)
// release as the same plus δ of infinite loss, Gaussians as N(μ²/2, μ²) with μ from the analytic
// Gaussian mechanism (own bisection, own normal CDF); binomials enumerated exactly, the Gaussian part
// integrated in closed form.
import { referenceAnalyticSigma, referencePhi } from './reference-normal';

export type Release =
  | { kind: 'pure'; epsilon: number; name: 'laplace' | 'krr' | 'privunit' }
  | { kind: 'gaussian'; epsilon: number; delta: number }
  | { kind: 'approx'; epsilon: number; delta: number };

/** μ of a Gaussian release: the analytic Gaussian's Δ/σ at ε less 2^−20, δ less 2^−80 (the sampler's reserves). */
export function mu(epsilon: number, delta: number): number {
  return 1 / referenceAnalyticSigma(epsilon - 2 ** -20, delta - 2 ** -80, 1);
}

/** δ_G(x, μ) = E[(1 − e^(x − L))₊] for L ~ N(μ²/2, μ²); μ = 0: (1 − e^x)₊. */
function gaussianPart(x: number, m: number): number {
  if (m === 0) return x >= 0 ? 0 : 1 - Math.exp(x);
  return referencePhi(m / 2 - x / m) - Math.exp(x) * referencePhi(-m / 2 - x / m);
}

/** The exact ε at which the releases compose to (ε, δ), by enumerating every combination of the two-point losses. */
export function exactEpsilon(releases: readonly Release[], delta: number): number {
  const groups = new Map<number, number>();
  let muSquared = 0;
  let keep = 1; // probability that no (ε, δ) release took its δ branch
  for (const r of releases) {
    if (r.kind === 'gaussian') muSquared += mu(r.epsilon, r.delta) ** 2;
    else groups.set(r.epsilon, (groups.get(r.epsilon) ?? 0) + 1);
    if (r.kind === 'approx') keep *= 1 - r.delta;
  }
  // Support of the pure part: every (j_g) with multinomial weight Π C(n, j) p^j (1 − p)^(n − j).
  let support: { loss: number; p: number }[] = [{ loss: 0, p: 1 }];
  for (const [epsilon, n] of groups) {
    const up = Math.exp(epsilon) / (1 + Math.exp(epsilon));
    const next: { loss: number; p: number }[] = [];
    for (let j = 0; j <= n; j++) {
      let c = 1;
      for (let i = 0; i < j; i++) c = (c * (n - i)) / (i + 1);
      const w = c * up ** j * (1 - up) ** (n - j);
      for (const s of support) next.push({ loss: s.loss + epsilon * (2 * j - n), p: s.p * w });
    }
    support = next;
  }
  const m = Math.sqrt(muSquared);
  const deltaAt = (e: number) => {
    let rest = 0;
    for (const s of support) rest += s.p * gaussianPart(e - s.loss, m);
    return 1 - keep * (1 - rest);
  };
  let lo = 0;
  let hi = 200;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (deltaAt(mid) > delta) lo = mid;
    else hi = mid;
  }
  return hi;
}
