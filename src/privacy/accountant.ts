/**
 * Privacy accounting (pure). A release costs pure ε (PrivUnit, Laplace, k-RR, OUE)
 * or (ε, δ) with a zCDP ρ (Gaussian: ρ = Δ²/(2σ²), Bun & Steinke 2016, Prop. 1.6).
 * Totals: basic composition (ε and δ add up), and, where Gaussian releases are
 * present, the zCDP route at the caller's δ (pure ε is ε²/2-zCDP, Prop. 1.4; ρs add; ρ-zCDP is
 * (ρ + 2√(ρ ln(1/δ)), δ)-DP, Prop. 1.3), whichever gives the smaller ε.
 */
import { requireOpenUnit, requirePositiveFinite } from './errors';
import { calibrateAnalyticGaussian } from './mechanisms/gaussian';
import { validateParams, type MechanismParams } from './mechanism';

export interface Cost {
  readonly epsilon: number;
  readonly delta: number;
  /** zCDP parameter of the release (pure ε: ε²/2). */
  readonly rho: number;
}

/** What one release with these parameters costs. */
export function costOf(params: MechanismParams): Cost {
  validateParams(params);
  if (params.name === 'gaussian') {
    const sensitivity = 2 * (params.clip ?? 1);
    const sigma = calibrateAnalyticGaussian(params.epsilon, params.delta, sensitivity);
    return { epsilon: params.epsilon, delta: params.delta, rho: (sensitivity * sensitivity) / (2 * sigma * sigma) };
  }
  return { epsilon: params.epsilon, delta: 0, rho: (params.epsilon * params.epsilon) / 2 };
}

/** ρ-zCDP as (ε, δ)-DP. */
export function zcdpToEpsilon(rho: number, delta: number): number {
  requireOpenUnit('delta', delta);
  if (rho === 0) return 0;
  requirePositiveFinite('rho', rho);
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

/**
 * The total (ε, δ) of a sequence of releases. Pure-only sequences add up exactly
 * (δ = 0). With Gaussian releases, the zCDP total at `delta` is used when it is the
 * smaller ε (its δ is then `delta`, otherwise the sum of the releases' δ).
 */
export function composeCosts(
  costs: readonly Cost[],
  options: { delta?: number } = {},
): { epsilon: number; delta: number } {
  let epsilon = 0;
  let delta = 0;
  let rho = 0;
  for (const c of costs) {
    epsilon += c.epsilon;
    delta += c.delta;
    rho += c.rho;
  }
  if (delta === 0 || options.delta === undefined) return { epsilon, delta };
  const viaZcdp = zcdpToEpsilon(rho, options.delta);
  return viaZcdp < epsilon ? { epsilon: viaZcdp, delta: options.delta } : { epsilon, delta };
}

/** True when spending `next` on top of `spent` stays within `budget` ε (basic composition: conservative). */
export function canAfford(spent: readonly Cost[], next: Cost, budgetEpsilon: number): boolean {
  const total = spent.reduce((s, c) => s + c.epsilon, 0) + next.epsilon;
  // A tolerance of one part in 10^12, so 17 × (ε/17) fits a budget of ε despite rounding.
  return total <= budgetEpsilon * (1 + 1e-12);
}
