/**
 * The collector's verification of a received body. The report schema (src/report/schema.ts)
 * checks the shape, the limits and the output range against the declared parameters;
 * verifyCalibration (src/report/calibration-check.ts) recomputes the calibration from
 * (ε, δ, d, C) and refuses a report whose parameters are not it. What stays here is the
 * collector's own policy: its bounds on size, whatever the schema allows, and the shape of
 * what it keeps of a report (kind and size, which pick its group).
 *
 * So one hostile report moves a group's mean by at most what an honest report of the
 * same mechanism could move it, and never to ±∞ or NaN.
 */
import { ObscuraError } from '../src/errors';
import { verifyCalibration } from '../src/report/calibration-check';
import { parseReport, type MechanismRecord, type Report } from '../src/report/schema';

/*
 * The schema's limits are the same today; the collector states its own so that a looser
 * schema (a larger model, say) does not loosen what this collector stores and sums.
 */
/** Largest codebook the collector counts (k-RR / OUE). */
export const MAX_CATEGORIES = 2 ** 16;
/** Longest vector (and largest declared model / projection dimension) the collector accepts. */
export const MAX_DIMS = 4096;

/** A report that passed every check, with what picks its group. */
export interface VerifiedReport {
  readonly report: Report;
  readonly kind: 'vector' | 'category';
  /** Vector length, or k. */
  readonly size: number;
  /** The declared parameters, equal to the calibration for (ε, δ, size, C). */
  readonly mechanism: MechanismRecord;
}

function refuse(path: string, message: string): never {
  throw new ObscuraError('InvalidReportError', `invalid report: ${path}: ${message}`, {
    issues: [{ path, message }],
  });
}

/** Parses and verifies a received value; throws InvalidReportError naming the first problem (path and reason). */
export function verifyReport(value: unknown): VerifiedReport {
  const report = parseReport(value);
  if (report.model.dims > MAX_DIMS) refuse('model.dims', `at most ${MAX_DIMS} dimensions, got ${report.model.dims}`);
  if (report.projection && report.projection.dims > MAX_DIMS)
    refuse('projection.dims', `at most ${MAX_DIMS} dimensions, got ${report.projection.dims}`);
  const size = 'vector' in report ? report.vector.length : report.category.k;
  if ('vector' in report && size > MAX_DIMS) refuse('vector', `at most ${MAX_DIMS} values, got ${size}`);
  if ('category' in report && size > MAX_CATEGORIES)
    refuse('category.k', `at most ${MAX_CATEGORIES} categories, got ${size}`);
  verifyCalibration(report);
  return { report, kind: 'vector' in report ? 'vector' : 'category', size, mechanism: report.mechanism };
}
