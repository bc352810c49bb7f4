/**
 * Composition by privacy-loss distributions (PLD), pure and exact up to a stated, pessimistic
 * discretisation (as Google's dp_accounting PLD accountant and the PRV accountant of Gopi, Lee &
 * Wutschitz 2021, used by Opacus, do it; neither runs here).
 *
 * A release is described by a dominating pair (P, Q); its privacy-loss random variable is
 * L = ln(P(o)/Q(o)) with o ~ P, and the pair is (ε, δ(ε))-DP with δ(ε) = E[(1 − e^(ε−L))₊].
 * Losses of independent releases add, so the composition's L is the sum of theirs.
 * - An ε-DP release (PrivUnit, Laplace, k-RR, OUE) is dominated by randomized response:
 *   L = +ε with probability e^ε/(1 + e^ε), −ε otherwise. n of them at one ε: L = ε(2B − n),
 *   B ~ Binomial(n, e^ε/(1 + e^ε)).
 * - A Gaussian release of parameter μ (sensitivity over σ) has L ~ N(μ²/2, μ²), so Gaussians
 *   compose exactly by adding μ², and E over that part of (1 − e^(ε−l−L))₊ is the analytic
 *   Gaussian's δ(ε − l, μ) = Φ(μ/2 − (ε − l)/μ) − e^(ε−l) Φ(−μ/2 − (ε − l)/μ) (Balle & Wang 2018).
 * So δ(ε) = Σ_l P(L_pure = l) · δ_G(ε − l, μ), with δ_G(x, 0) = (1 − e^x)₊.
 *
 * The pure part is computed pessimistically: every loss value is moved UP (never down) onto a
 * lattice of step h (each group's values rounded up, so the composed value is too high by less
 * than h per group, and the ε found is a lattice point, less than h more), mass in the far upper
 * tail (below 10^−25 in all) is counted as infinite loss, mass in the far lower tail is moved up to
 * the lowest value kept. Each of these can only raise
 * δ(ε) (it is increasing in every loss value), so the result is an upper bound on the exact ε; h is
 * chosen so that the rounding adds at most 1/200 of a lower bound on the exact ε ((G + 1)·h with G ≥ 2
 * groups and h ≤ lower/(300·G)).
 */
import { normalCdf } from './math/special';

/** n releases at one ε. */
export interface PureGroup {
  readonly epsilon: number;
  readonly count: number;
}

export interface PldInput {
  /** ε-DP releases, counted per ε. */
  readonly pure: readonly PureGroup[];
  /** Σ μ² over the Gaussian releases. */
  readonly muSquared: number;
}

/** Tail mass dropped at each end per step: at most this much δ is added, at most this much mass is moved up. */
const TAIL = 1e-25;
/** Lattice step h ≤ this share of (a lower bound on) the exact ε over the number of groups. */
const ROUNDING_SHARE = 1 / 300;
/** δ(ε) is computed in doubles; it is raised by this factor (and 10^−18) before it is compared. */
const FLOAT_FACTOR = 1 + 2 ** -20;

/** The analytic Gaussian's δ at ε = x for parameter μ (μ = 0: no Gaussian part). */
export function gaussianPldDelta(x: number, mu: number): number {
  if (mu === 0) return x >= 0 ? 0 : -Math.expm1(x);
  const b = x / mu;
  const tail = normalCdf(-mu / 2 - b);
  const second = tail === 0 ? 0 : Math.exp(x + Math.log(tail));
  return Math.max(0, normalCdf(mu / 2 - b) - second);
}

/** A loss distribution on the lattice h·ℤ: P(L = (offset + i)·h) = mass[i]; `infinite` is P(L = +∞). */
interface Lattice {
  offset: number;
  mass: Float64Array;
  infinite: number;
}

/** log C(n, j) p^j (1 − p)^(n − j) for every j, p = e^ε/(1 + e^ε). */
function binomialLog(n: number, epsilon: number): Float64Array {
  const logP = -Math.log1p(Math.exp(-epsilon));
  const logQ = -Math.log1p(Math.exp(epsilon));
  const out = new Float64Array(n + 1);
  let logC = 0;
  for (let j = 0; j <= n; j++) {
    out[j] = logC + j * logP + (n - j) * logQ;
    logC += Math.log((n - j) / (j + 1));
  }
  return out;
}

/** The binomial's pmf with both tails below TAIL cut: lower tail onto the first kept j, upper tail returned apart. */
function trimmedBinomial(n: number, epsilon: number): { first: number; mass: number[]; upper: number } {
  const logs = binomialLog(n, epsilon);
  const pmf = Array.from(logs, Math.exp);
  let lo = 0;
  let below = 0;
  while (lo < n && below + pmf[lo]! < TAIL) below += pmf[lo++]!;
  let hi = n;
  let upper = 0;
  while (hi > lo && upper + pmf[hi]! < TAIL) upper += pmf[hi--]!;
  const mass = pmf.slice(lo, hi + 1);
  mass[0]! += below;
  return { first: lo, mass, upper };
}

/** δ(ε) of a single group, from its exact loss values (a lower bound for the composition's ε). */
function groupDeltaFunction(group: PureGroup, mu: number): (epsilon: number) => number {
  const { first, mass, upper } = trimmedBinomial(group.count, group.epsilon);
  const losses = mass.map((_, k) => group.epsilon * (2 * (first + k) - group.count));
  return (epsilon) => {
    let delta = upper;
    for (let k = 0; k < mass.length; k++) delta += mass[k]! * gaussianPldDelta(epsilon - losses[k]!, mu);
    return delta;
  };
}

/**
 * The smallest ε with delta(ε) ≤ target, to `tolerance` relative: from above (the default), or from
 * below (`below`: an ε where delta(ε) > target still, so a lower bound).
 */
function smallestEpsilon(
  deltaAt: (epsilon: number) => number,
  target: number,
  start: number,
  tolerance = 1e-9,
  below = false,
): number {
  const ok = (e: number) => deltaAt(e) * FLOAT_FACTOR + 1e-18 <= target;
  let hi = Math.max(start, 1e-6);
  while (!ok(hi)) {
    hi *= 2;
    if (hi > 1e9) return Infinity;
  }
  let lo = 0;
  while (hi - lo > tolerance * hi) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return below ? lo : hi;
}

/** The lattice index whose value is the least one at or above `loss`. */
function latticeUp(loss: number, h: number): number {
  let k = Math.ceil(loss / h);
  if ((k - 1) * h >= loss) k--;
  else if (k * h < loss) k++;
  return k;
}

/** Adds one group's losses, rounded up to the lattice, to the distribution; trims both tails. */
function convolveGroup(dist: Lattice, group: PureGroup, h: number): Lattice {
  const { first, mass, upper } = trimmedBinomial(group.count, group.epsilon);
  const idx = mass.map((_, k) => latticeUp(group.epsilon * (2 * (first + k) - group.count), h));
  const min = idx[0]!;
  const span = idx[idx.length - 1]! - min;
  const out = new Float64Array(dist.mass.length + span);
  for (let k = 0; k < mass.length; k++) {
    const p = mass[k]!;
    const shift = idx[k]! - min;
    for (let i = 0; i < dist.mass.length; i++) out[i + shift]! += dist.mass[i]! * p;
  }
  const infinite = dist.infinite + upper * (1 - dist.infinite);
  return trimLattice({ offset: dist.offset + min, mass: out, infinite });
}

/** Cuts up to TAIL of mass from the top (as infinite loss) and from the bottom (moved up onto the first kept value). */
function trimLattice(dist: Lattice): Lattice {
  const m = dist.mass;
  let hi = m.length - 1;
  let upper = 0;
  while (hi > 0 && upper + m[hi]! < TAIL) upper += m[hi--]!;
  let lo = 0;
  let below = 0;
  while (lo < hi && below + m[lo]! < TAIL) below += m[lo++]!;
  const mass = m.slice(lo, hi + 1);
  mass[0]! += below;
  return { offset: dist.offset + lo, mass, infinite: dist.infinite + upper };
}

/**
 * The smallest ε on the lattice (ε = m·h, so rounded up by less than h) at which the lattice
 * distribution composed with a Gaussian part μ has δ(ε) ≤ target. δ(m·h) = Σᵢ mass[i]·g(m − offset − i)
 * with g(k) = δ_G(k·h, μ), and g is computed once per k across the whole search.
 */
function smallestLatticeEpsilon(dist: Lattice, h: number, mu: number, target: number, lower: number): number {
  const { offset, mass } = dist;
  // Above μ²/2 + 40μ, δ_G is below Φ(−40) < 10^−300 (0 for μ = 0): those values are skipped.
  const cut = Math.floor(((mu * mu) / 2 + 40 * mu) / h);
  const deltaAt = (m: number, g: (k: number) => number) => {
    let delta = dist.infinite;
    for (let i = Math.max(0, m - offset - cut); i < mass.length; i++) delta += mass[i]! * g(m - offset - i);
    return delta;
  };
  const direct = (k: number) => gaussianPldDelta(k * h, mu);
  const ok = (m: number, g: (k: number) => number) => deltaAt(m, g) * FLOAT_FACTOR + 1e-18 <= target;
  let lo = Math.max(-1, Math.floor(lower / h) - 2);
  let hi = lo + 1;
  while (!ok(hi, direct)) {
    lo = hi;
    hi += Math.max(1, hi - Math.floor(lower / h));
    if (hi * h > 1e9) return Infinity;
  }
  const kMin = lo - offset - (mass.length - 1);
  const cache = new Float64Array(hi - offset - kMin + 1).fill(Number.NaN);
  const cached = (k: number) => {
    const j = k - kMin;
    let v = cache[j]!;
    if (Number.isNaN(v)) cache[j] = v = direct(k);
    return v;
  };
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (ok(mid, cached)) hi = mid;
    else lo = mid;
  }
  return hi * h;
}

/**
 * An upper bound on the ε at which the composition of `input` is (ε, delta)-DP, within 1/200 of the
 * exact value (plus 1e−9 relative): Infinity when no ε is (delta ≤ 0, or beyond 10^9).
 */
export function composedEpsilon(input: PldInput, delta: number): number {
  if (!(delta > 0)) return Infinity;
  const groups = mergeGroups(input.pure);
  const mu = Math.sqrt(input.muSquared);
  if (groups.length === 0) return mu === 0 ? 0 : smallestEpsilon((e) => gaussianPldDelta(e, mu), delta, mu);
  if (groups.length === 1) return smallestEpsilon(groupDeltaFunction(groups[0]!, mu), delta, mu) * (1 + 1e-12);
  // A lower bound on the exact ε (to 10^−3): each group with the Gaussian part alone (composing more
  // never lowers it).
  let lower = 0;
  for (const g of groups)
    lower = Math.max(lower, smallestEpsilon(groupDeltaFunction(g, mu), delta, g.epsilon, 1e-3, true));
  // A power of two: ε on the ledger's grid that are multiples of it (1, 0.5, 0.25, …) are not moved at all.
  const h = 2 ** Math.floor(Math.log2((lower * ROUNDING_SHARE) / groups.length));
  let dist: Lattice = { offset: 0, mass: Float64Array.of(1), infinite: 0 };
  for (const g of groups) dist = convolveGroup(dist, g, h);
  // 10^−12 relative covers the last-bit rounding of the loss values and lattice points.
  return smallestLatticeEpsilon(dist, h, mu, delta, lower) * (1 + 1e-12);
}

function mergeGroups(pure: readonly PureGroup[]): PureGroup[] {
  const counts = new Map<number, number>();
  for (const g of pure) if (g.count > 0) counts.set(g.epsilon, (counts.get(g.epsilon) ?? 0) + g.count);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([epsilon, count]) => ({ epsilon, count }));
}
