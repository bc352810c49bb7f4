/**
 * Recomputes a report's calibration from its public (ε, δ, d, C) and compares it with the
 * parameters it carries, so a collector can refuse a report whose noise is not what its
 * ε states (one hostile report must not poison a mean). The schema has already checked
 * the output against the range its declared parameters allow (output-range.ts: the range
 * the device's mechanism clamped to, from the same numbers); here those parameters are found
 * equal to the calibration, so together the output lies within the calibration's range.
 * The Gaussian's bound is computed from the declared σ rather than the recomputed one: both
 * ends then use the very same number, and an honest value at the bound is never refused
 * because two engines rounded σ differently in its last bit (σ agrees to 1e-9, which moves
 * the bound by at most two grid steps, against σ ≥ 100 steps).
 */
import { ObscuraError } from '../errors';
import { calibrateDiscreteGaussian } from '../privacy/mechanisms/discrete-gaussian';
import { calibrateLaplace } from '../privacy/mechanisms/laplace';
import { calibratePrivUnit } from '../privacy/mechanisms/privunit';
import { memoize } from '../privacy/memo';
import type { MechanismRecord, Report } from './schema';

const privUnitScale = memoize((epsilon: number, dims: number) => calibratePrivUnit(epsilon, dims).scale);
const laplace = memoize((epsilon: number, dims: number, clip: number) => calibrateLaplace(epsilon, dims, clip));
const gaussian = memoize((epsilon: number, delta: number, dims: number, clip: number) =>
  calibrateDiscreteGaussian(epsilon, delta, dims, clip),
);

function invalid(path: string, message: string): ObscuraError {
  return new ObscuraError('InvalidReportError', `invalid report: ${path}: ${message}`, {
    issues: [{ path, message }],
  });
}

function mismatch(what: string, got: number, expected: number): ObscuraError {
  return invalid(`mechanism.${what}`, `expected ${expected}, got ${got}`);
}

/** Runs a calibration; parameters it refuses (e.g. PrivUnit of one dimension) make the report invalid. */
function calibrated<T>(compute: () => T): T {
  try {
    return compute();
  } catch (err) {
    if (err instanceof ObscuraError && err.name === 'InvalidReportError') throw err;
    throw invalid('mechanism', err instanceof Error ? err.message : String(err));
  }
}

/**
 * Throws InvalidReportError unless the report's mechanism parameters are the calibration for
 * its (ε, δ, d, C). With the schema's range check, every value then lies within the bound
 * the device clamps to, so refusing what lies beyond loses no honest report.
 */
export function verifyCalibration(report: Report): void {
  if (!('vector' in report)) return; // k-RR / OUE carry ε only
  const m = report.mechanism;
  const d = report.vector.length;
  switch (m.name) {
    case 'privunit': {
      const scale = calibrated(() => privUnitScale(m.epsilon, d));
      if (Math.abs(m.scale - scale) > 1e-9 * scale) throw mismatch('scale', m.scale, scale);
      return;
    }
    case 'laplace': {
      const p = calibrated(() => laplace(m.epsilon, d, m.clip));
      if (m.step !== p.step) throw mismatch('step', m.step, p.step);
      if (m.bound !== p.bound) throw mismatch('bound', m.bound, p.bound);
      return;
    }
    case 'gaussian': {
      const p = calibrated(() => gaussian(m.epsilon, m.delta, d, m.clip));
      if (m.step !== p.step) throw mismatch('step', m.step, p.step);
      if (Math.abs(m.sigma - p.sigma) > 1e-9 * p.sigma) throw mismatch('sigma', m.sigma, p.sigma);
      return;
    }
    default:
      throw invalid('mechanism.name', `${m.name} does not release a vector`);
  }
}

/**
 * E‖r − x‖² of one verified vector report of `dims` values, from the parameters it carries:
 * PrivUnit's reports all have norm `scale` and mean x (a unit vector), so scale² − 1; the
 * Gaussian's noise is below σ² per coordinate plus at most step²/4 of rounding; Laplace's
 * noise scale t is recomputed from (ε, d, C), which its step and bound were checked against.
 */
export function calibratedNoiseMse(mechanism: MechanismRecord, dims: number): number {
  switch (mechanism.name) {
    case 'privunit':
      return mechanism.scale * mechanism.scale - 1;
    case 'gaussian':
      return dims * (mechanism.sigma * mechanism.sigma + (mechanism.step * mechanism.step) / 4);
    case 'laplace':
      return calibrated(() => laplace(mechanism.epsilon, dims, mechanism.clip)).expectedMse;
    default:
      throw invalid('mechanism.name', `${mechanism.name} does not release a vector`);
  }
}
