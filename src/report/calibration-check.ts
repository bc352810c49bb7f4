/**
 * Recomputes a report's calibration from its public (ε, δ, d, C) and compares it with the
 * parameters it carries, so a collector can refuse a report whose noise is not what its
 * ε states (one hostile report must not poison a mean). The schema has already checked
 * the output against those parameters (grid, bound, norm).
 */
import { ObscuraError } from '../errors';
import { calibrateDiscreteGaussian } from '../privacy/mechanisms/discrete-gaussian';
import { calibrateLaplace } from '../privacy/mechanisms/laplace';
import { calibratePrivUnit } from '../privacy/mechanisms/privunit';
import { memoize } from '../privacy/memo';
import type { Report } from './schema';

const privUnitScale = memoize((epsilon: number, dims: number) => calibratePrivUnit(epsilon, dims).scale);
const laplace = memoize((epsilon: number, dims: number, clip: number) => calibrateLaplace(epsilon, dims, clip));
const gaussian = memoize((epsilon: number, delta: number, dims: number, clip: number) =>
  calibrateDiscreteGaussian(epsilon, delta, dims, clip),
);

function mismatch(what: string, got: number, expected: number): ObscuraError {
  return new ObscuraError('InvalidReportError', `invalid report: mechanism.${what}: expected ${expected}, got ${got}`);
}

/** Throws InvalidReportError unless the report's mechanism parameters are the calibration for its (ε, δ, d, C). */
export function verifyCalibration(report: Report): void {
  if (!('vector' in report)) return; // k-RR / OUE carry ε only
  const m = report.mechanism;
  const d = report.vector.length;
  switch (m.name) {
    case 'privunit': {
      const scale = privUnitScale(m.epsilon, d);
      if (Math.abs(m.scale - scale) > 1e-9 * scale) throw mismatch('scale', m.scale, scale);
      return;
    }
    case 'laplace': {
      const p = laplace(m.epsilon, d, m.clip);
      if (m.step !== p.step) throw mismatch('step', m.step, p.step);
      if (m.bound !== p.bound) throw mismatch('bound', m.bound, p.bound);
      return;
    }
    case 'gaussian': {
      const p = gaussian(m.epsilon, m.delta, d, m.clip);
      if (m.step !== p.step) throw mismatch('step', m.step, p.step);
      if (Math.abs(m.sigma - p.sigma) > 1e-9 * p.sigma) throw mismatch('sigma', m.sigma, p.sigma);
      return;
    }
    default:
      throw new ObscuraError('InvalidReportError', `invalid report: ${m.name} does not release a vector`);
  }
}
