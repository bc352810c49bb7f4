/**
 * Zero-concentrated DP (Bun & Steinke 2016). A ρ-zCDP release is (ε, δ)-DP for every
 * δ > 0 with ε = ρ + 2√(ρ ln(1/δ)) (their Proposition 1.3). That is the conversion used
 * everywhere here, per release and for the device's total; the tighter conversion of
 * Canonne, Kamath & Steinke 2020 (Corollary 13) would allow slightly more, and the one
 * used is never the less safe of the two.
 */
import { requireOpenUnit, requirePositiveFinite } from './errors';

/** ρ-zCDP as (ε, δ)-DP: ε = ρ + 2√(ρ ln(1/δ)). */
export function zcdpToEpsilon(rho: number, delta: number): number {
  requireOpenUnit('delta', delta);
  if (rho === 0) return 0;
  requirePositiveFinite('rho', rho);
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

/**
 * The largest ρ whose conversion at δ is at most ε: √ρ = √(ε + L) − √L with L = ln(1/δ),
 * written as ε/(√(ε + L) + √L) to avoid cancellation at small ε, and nudged down by one
 * part in 10^12 so rounding cannot make the conversion exceed ε.
 */
export function rhoForEpsilon(epsilon: number, delta: number): number {
  requirePositiveFinite('epsilon', epsilon);
  requireOpenUnit('delta', delta);
  const L = Math.log(1 / delta);
  const root = epsilon / (Math.sqrt(epsilon + L) + Math.sqrt(L));
  return root * root * (1 - 1e-12);
}
