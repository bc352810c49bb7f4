import { buildCategoryReport, buildVectorReport, type ReportContext } from '../../src/report/build-report';
import type { CategoryRelease, VectorRelease } from '../../src/privacy/mechanism';
import type { Report } from '../../src/report/schema';

/** The context plus a vector release, or a category release and its codebook id. */
export type ReportInput = ReportContext &
  ({ readonly release: VectorRelease } | { readonly release: CategoryRelease; readonly codebook: string });

/** Any release as a validated report: the one builder a test or benchmark mixing both kinds calls. */
export function buildReport(input: ReportInput): Report {
  if ('codebook' in input) return buildCategoryReport(input.release, input.codebook, input);
  return buildVectorReport(input.release, input);
}
