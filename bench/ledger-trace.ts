/**
 * A CDP trace of the page's main thread while the ledger bench clicks, reduced to its long tasks: each
 * task over 50 ms of wall or thread (CPU) time, with what ran in it, by event name (a function call by
 * its function and script position), so a long task names its cause.
 */
import type { CDPSession, Page } from 'playwright-core';

export interface TracedTask {
  /** Wall and thread (CPU) time of the task, ms. */
  readonly wallMs: number;
  readonly cpuMs: number;
  /** The events that ran inside it, longest first (wall ms, summed over events of the same name). */
  readonly inside: readonly { readonly what: string; readonly ms: number }[];
}

export interface TraceSummary {
  /** Main-thread tasks of the page, their count and the longest thread time, ms. */
  readonly tasks: number;
  readonly longestCpuMs: number;
  readonly longestWallMs: number;
  /** Tasks over LONG_MS of wall time, or of thread time. */
  readonly overWall: number;
  readonly overCpu: number;
  readonly long: readonly TracedTask[];
}

const LONG_MS = 50;
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing'];

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: { readonly name?: string; readonly data?: Record<string, unknown> };
}

export async function startTrace(page: Page): Promise<CDPSession> {
  const session = await page.context().newCDPSession(page);
  await session.send('Tracing.start', { categories: CATEGORIES.join(','), transferMode: 'ReturnAsStream' });
  return session;
}

export async function endTrace(session: CDPSession): Promise<TraceSummary> {
  const complete = new Promise<string>((resolve) => session.once('Tracing.tracingComplete', (e) => resolve(e.stream!)));
  await session.send('Tracing.end');
  const stream = await complete;
  let text = '';
  for (;;) {
    const chunk = await session.send('IO.read', { handle: stream, size: 1 << 22 });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await session.send('IO.close', { handle: stream });
  await session.detach();
  const parsed = JSON.parse(text) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return summarize(Array.isArray(parsed) ? parsed : parsed.traceEvents);
}

function label(e: TraceEvent): string {
  const d = e.args?.data ?? {};
  if (e.name === 'FunctionCall' || e.name === 'v8.callFunction') {
    const fn = typeof d['functionName'] === 'string' && d['functionName'] ? d['functionName'] : '(anonymous)';
    const url = typeof d['url'] === 'string' ? d['url'].split('/').pop() : '';
    return `${e.name} ${fn} ${url}:${String(d['lineNumber'] ?? '')}:${String(d['columnNumber'] ?? '')}`;
  }
  if (e.name === 'EventDispatch' || e.name === 'TimerFire')
    return `${e.name} ${String(d['type'] ?? d['timerId'] ?? '')}`;
  return e.name;
}

/** The renderer main threads' tasks (RunTask on CrRendererMain) and what ran in the long ones. */
export function summarize(events: readonly TraceEvent[]): TraceSummary {
  const mainThreads = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = (e: TraceEvent) => mainThreads.has(`${e.pid}:${e.tid}`) && e.ph === 'X' && e.dur !== undefined;
  const tasks = events.filter((e) => onMain(e) && e.name === 'RunTask');
  const ms = (us: number | undefined) => (us ?? 0) / 1000;
  const long = tasks.filter((t) => ms(t.dur) > LONG_MS || ms(t.tdur) > LONG_MS);
  const inside = (t: TraceEvent) => {
    const sums = new Map<string, number>();
    for (const e of events)
      if (onMain(e) && e !== t && e.tid === t.tid && e.pid === t.pid && e.ts >= t.ts && e.ts < t.ts + t.dur!) {
        const what = label(e);
        sums.set(what, (sums.get(what) ?? 0) + ms(e.dur));
      }
    return [...sums]
      .map(([what, total]) => ({ what, ms: Math.round(total * 10) / 10 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 12);
  };
  return {
    tasks: tasks.length,
    longestCpuMs: Math.max(0, ...tasks.map((t) => ms(t.tdur))),
    longestWallMs: Math.max(0, ...tasks.map((t) => ms(t.dur))),
    overWall: tasks.filter((t) => ms(t.dur) > LONG_MS).length,
    overCpu: tasks.filter((t) => ms(t.tdur) > LONG_MS).length,
    long: long.map((t) => ({ wallMs: ms(t.dur), cpuMs: ms(t.tdur), inside: inside(t) })),
  };
}
