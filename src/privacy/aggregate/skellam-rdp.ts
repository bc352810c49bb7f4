/**
 * Privacy of the multidimensional Skellam mechanism: integer vectors plus independent
 * Skellam(μ) noise in every coordinate (Sk(μ) = Poisson(μ) − Poisson(μ), variance 2μ).
 *
 * Rényi DP (Agarwal, Kairouz, Liu 2021, "The Skellam Mechanism for Differentially
 * Private Federated Learning", Theorem 3.5): for integer α > 1 and neighbours whose
 * difference has L1 norm ≤ Δ₁ and L2 norm ≤ Δ₂,
 *   ε(α) ≤ αΔ₂²/(4μ) + min( ((2α − 1)Δ₂² + 6Δ₁)/(16μ²), 3Δ₁/(4μ) ).
 * Conversion to (ε, δ) (Canonne, Kamath, Steinke 2020, Proposition 12; Asoodeh et al.):
 *   ε = ε(α) + log((α − 1)/α) − (log δ + log α)/(α − 1), minimised over α.
 */
import { requireOpenUnit, requirePositiveFinite } from '../errors';

export interface Sensitivity {
  readonly l1: number;
  readonly l2: number;
}

/** The RDP bound ε(α) of Skellam(μ) noise at integer order α ≥ 2. */
export function skellamRdp(alpha: number, mu: number, sensitivity: Sensitivity): number {
  const { l1, l2 } = sensitivity;
  const second = Math.min(((2 * alpha - 1) * l2 * l2 + 6 * l1) / (16 * mu * mu), (3 * l1) / (4 * mu));
  return (alpha * l2 * l2) / (4 * mu) + second;
}

/** (α, ε(α))-RDP as (ε, δ)-DP. */
export function rdpToEpsilon(alpha: number, rdp: number, delta: number): number {
  return rdp + Math.log((alpha - 1) / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
}

/** Integer orders tried: every order to 256, then a geometric ladder to 2^20. */
const ORDERS: readonly number[] = (() => {
  const out: number[] = [];
  for (let a = 2; a <= 256; a++) out.push(a);
  for (let a = 256; a <= 2 ** 20; a = Math.ceil(a * 1.05)) out.push(a);
  return out;
})();

/**
 * The smallest ε over integer orders at which Skellam(μ) noise is (ε, δ)-DP for this sensitivity,
 * composed `compositions` times (RDP adds up at each order, also when the mechanisms are chosen
 * adaptively, as rounds of training are).
 */
export function skellamEpsilon(mu: number, sensitivity: Sensitivity, delta: number, compositions = 1): number {
  requirePositiveFinite('mu', mu);
  requireOpenUnit('delta', delta);
  let best = Infinity;
  for (const alpha of ORDERS) {
    best = Math.min(best, rdpToEpsilon(alpha, compositions * skellamRdp(alpha, mu, sensitivity), delta));
  }
  return Math.max(0, best);
}

/**
 * Tail bound P(|Sk(μ)| ≥ t) ≤ 2·exp(−(t·asinh(t/(2μ)) − 2μ(√(1 + (t/(2μ))²) − 1))): the
 * Chernoff bound with the Skellam moment generating function exp(2μ(cosh λ − 1)) at its
 * best λ = asinh(t/(2μ)). Returned as a natural logarithm, so tiny tails do not underflow.
 */
export function skellamLogTail(mu: number, t: number): number {
  if (t <= 0) return 0;
  const x = t / (2 * mu);
  // √(1 + x²) − 1 written as x²/(√(1 + x²) + 1), which keeps its digits for small x.
  const exponent = t * Math.asinh(x) - (2 * mu * x * x) / (Math.sqrt(1 + x * x) + 1);
  return Math.min(0, Math.LN2 - exponent);
}
