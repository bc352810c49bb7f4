import { reportSchema, type Report } from '../../src/report/schema';

/** True for a valid report; never throws (a test's check, where parseReport would throw). */
export function isReport(value: unknown): value is Report {
  return reportSchema.safeParse(value).success;
}
