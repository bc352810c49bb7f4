/**
 * Totals recomputed from raw reports in memory, by the same verification and grouping
 * as the store: the reference the incremental totals are checked against.
 */
import type { Report } from '../../../src/report/schema';
import { estimateGroups, type Aggregates, type GroupTotals } from '../../../collector/group-estimates';
import { groupOf, type Group } from '../../../collector/groups';
import { verifyReport } from '../../../collector/verify-report';

interface Running {
  group: Group;
  count: number;
  sums: number[];
  squares: number[] | null;
}

/** Adds one verified report to its group's totals (the in-memory twin of the store's upsert). */
export function addToTotals(totals: Map<string, Running>, report: Report): void {
  const v = verifyReport(report);
  const group = groupOf(v);
  let t = totals.get(group.id);
  if (!t) {
    const zeros = () => new Array<number>(group.size).fill(0);
    t = { group, count: 0, sums: zeros(), squares: group.kind === 'vector' ? zeros() : null };
    totals.set(group.id, t);
  }
  t.count++;
  if ('vector' in report) {
    report.vector.forEach((x, j) => {
      t.sums[j]! += x;
      t.squares![j]! += x * x;
    });
  } else if ('value' in report.category) t.sums[report.category.value]!++;
  else report.category.bits.forEach((b, j) => (t.sums[j]! += b));
}

/** Groups the reports and totals each group in one pass (throws on a report that fails verification). */
export function totalsOf(reports: Iterable<Report>): GroupTotals[] {
  const totals = new Map<string, Running>();
  for (const r of reports) addToTotals(totals, r);
  return [...totals.values()];
}

/** What GET /aggregates would answer for exactly these reports. */
export function estimatesOf(reports: Iterable<Report>): Aggregates {
  return estimateGroups(totalsOf(reports));
}
