import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ObscuraError } from '../../errors';
import { parseReport, type Report } from '../../report/schema';
import { requireTaskMatch, taskReleaseOfReport } from '../../report/task';
import { fetchTasks, tasksEndpoint } from '../collector-tasks';
import type { CliIo } from '../cli-io';
import { writeJsonLine } from '../cli-io';
import { deliverReport, type DeliveryOptions, type ErrorInfo } from '../deliver-report';
import { integerFlag } from '../../number-flag';
import { SendProgress, type SendCounts } from '../send-progress';

const OPTIONS = {
  collector: { type: 'string' },
  scope: { type: 'string' },
  concurrency: { type: 'string', default: '8' },
  'max-attempts': { type: 'string', default: '10' },
  'backoff-base': { type: 'string', default: '500' },
  'backoff-cap': { type: 'string', default: '60000' },
  timeout: { type: 'string', default: '30000' },
} as const;

/** At most this many reasons are listed a kind; the counts stay exact. */
const MAX_REASONS = 1000;

interface Reason {
  readonly line: number;
  readonly id?: string;
  readonly status?: number;
  readonly error: ErrorInfo;
}

/** The collector's POST /reports URL from its base URL (or from that URL itself). */
export function reportsEndpoint(base: string | undefined): string {
  if (base === undefined) throw new ObscuraError('InvalidParameterError', '--collector URL is required');
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new ObscuraError('InvalidParameterError', `--collector must be an http(s) URL, got "${base}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ObscuraError('InvalidParameterError', `--collector must be an http(s) URL, got "${base}"`);
  if (!url.pathname.endsWith('/reports')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/reports`;
  return url.href;
}

/** A line holds a report, or what `extract` prints around one (`{"file", "model", "report"}`). */
function reportOf(text: string): Report {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ObscuraError('InvalidReportError', 'the line is not JSON');
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !('v' in value)) {
    if ('report' in value) value = (value as { report: unknown }).report;
    else if ('error' in value) throw new ObscuraError('InvalidReportError', 'the line is an error, not a report');
  }
  return parseReport(value);
}

/**
 * `obscura send --collector URL [--scope S] < reports.jsonl`: posts each report once
 * (idempotency key = report id), `--concurrency` at a time, retrying like the app's
 * reporter; progress on stderr, a JSON summary on stdout. `--scope S` sends only the
 * reports of scope S (the others are counted as skipped). The collector's declared tasks
 * (GET /tasks) are read first: a report to a scope it does not declare, or with parameters its
 * task does not allow, is not sent and counts as invalid (UndeclaredScopeError /
 * TaskMismatchError naming the field). Exit status 0 when every report read was delivered
 * (stored now or already), 1 otherwise; 2 when the collector's tasks cannot be read.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const endpoint = reportsEndpoint(values.collector);
  const concurrency = integerFlag('concurrency', values.concurrency, 1, 256);
  const delivery: DeliveryOptions = {
    endpoint,
    maxAttempts: integerFlag('max-attempts', values['max-attempts'], 1, 100),
    backoffBaseMs: integerFlag('backoff-base', values['backoff-base'], 1, 3_600_000),
    backoffCapMs: integerFlag('backoff-cap', values['backoff-cap'], 1, 3_600_000),
    timeoutMs: integerFlag('timeout', values.timeout, 1, 3_600_000),
    onRetry: () => counts.retries++,
  };
  const counts: SendCounts = {
    read: 0,
    sent: 0,
    duplicates: 0,
    rejected: 0,
    failed: 0,
    invalid: 0,
    skipped: 0,
    retries: 0,
  };
  const tasks = await fetchTasks(tasksEndpoint(endpoint), delivery);
  const reasons = { rejected: [] as Reason[], failed: [] as Reason[], invalid: [] as Reason[] };
  const note = (kind: keyof typeof reasons, reason: Reason) => {
    counts[kind]++;
    if (reasons[kind].length < MAX_REASONS) reasons[kind].push(reason);
  };
  const progress = new SendProgress(io.stderr);

  const inFlight = new Set<Promise<void>>();
  let line = 0;
  for await (const text of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let report: Report;
    try {
      report = reportOf(text);
    } catch (err) {
      note('invalid', { line, error: { name: (err as Error).name, message: (err as Error).message } });
      continue;
    }
    if (values.scope !== undefined && report.scope !== values.scope) {
      counts.skipped++;
      continue;
    }
    try {
      requireTaskMatch(tasks, taskReleaseOfReport(report));
    } catch (err) {
      note('invalid', { line, id: report.id, error: { name: (err as Error).name, message: (err as Error).message } });
      continue;
    }
    counts.read++;
    const at = line;
    const task = deliverReport(report, delivery).then((outcome) => {
      if (outcome.kind === 'stored') counts.sent++;
      else if (outcome.kind === 'duplicate') counts.duplicates++;
      else
        note(outcome.kind, {
          line: at,
          id: report.id,
          ...(outcome.status !== undefined ? { status: outcome.status } : {}),
          error: outcome.error,
        });
      progress.update(counts);
    });
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  progress.finish(counts);
  writeJsonLine(io.stdout, {
    sent: counts.sent,
    duplicates: counts.duplicates,
    rejected: { count: counts.rejected, reasons: reasons.rejected },
    failed: { count: counts.failed, reasons: reasons.failed },
    invalid: { count: counts.invalid, reasons: reasons.invalid },
    skipped: counts.skipped,
    retries: counts.retries,
  });
  return counts.rejected + counts.failed + counts.invalid > 0 ? 1 : 0;
}
