// What the session bench reads from outside the app: process CPU and memory, main-thread time, and the
// engine worker's tensors. Nothing here needs a hook in the app.
import { readdir, readFile } from 'node:fs/promises';
import type { CDPSession, Page } from 'playwright-core';

export interface ProcessMetrics {
  /** CPU time of the page's renderer process, all threads (CDP ProcessTime), ms. */
  readonly processMs: number;
  /** Main-thread task time (CDP TaskDuration) and main-thread CPU time (CDP ThreadTime), ms. */
  readonly taskMs: number;
  readonly threadMs: number;
  readonly jsHeapMb: number;
  readonly nodes: number;
  readonly listeners: number;
}

export async function processMetrics(cdp: CDPSession): Promise<ProcessMetrics> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? 0;
  return {
    processMs: 1000 * m('ProcessTime'),
    taskMs: 1000 * m('TaskDuration'),
    threadMs: 1000 * m('ThreadTime'),
    jsHeapMb: m('JSHeapUsedSize') / 2 ** 20,
    nodes: m('Nodes'),
    listeners: m('JSEventListeners'),
  };
}

export async function rssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0; // the process ended
  }
}

/**
 * The pid of the page's renderer: of the browser's renderers that run a dedicated worker (a service
 * worker's process runs none) and are not already known to be another page's, the one whose CPU time
 * matches the page's own ProcessTime (both count the same process's threads since it started).
 */
export async function rendererPid(
  browser: CDPSession,
  page: CDPSession,
  others: readonly number[] = [],
): Promise<number> {
  const { processInfo } = (await browser.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number; cpuTime: number }[];
  };
  const own = (await processMetrics(page)).processMs / 1000;
  const renderers: { id: number; cpuTime: number }[] = [];
  for (const p of processInfo) {
    if (p.type !== 'renderer' || others.includes(p.id)) continue;
    const threads = await threadCpu(p.id);
    if ([...threads.values()].some((t) => /^DedicatedWorker/.test(t.name))) renderers.push(p);
  }
  const nearest = renderers.sort((a, b) => Math.abs(a.cpuTime - own) - Math.abs(b.cpuTime - own))[0];
  if (!nearest) throw new Error('no renderer process of the browser runs a dedicated worker');
  return nearest.id;
}

export interface EngineMemory {
  /** tf.memory() in the engine worker (-1 when the worker was not found). */
  readonly numTensors: number;
  readonly numBytes: number;
  /** The wasm backend's heap (it grows and never shrinks: a leak shows here first). */
  readonly wasmHeapMb: number;
}

/** tf.memory() of the page's engine worker, read through tfjs's global engine (no hook in the app). */
export async function engineMemory(page: Page): Promise<EngineMemory> {
  const worker = page.workers().find((w) => /engine/.test(w.url()));
  if (!worker) return { numTensors: -1, numBytes: -1, wasmHeapMb: 0 };
  return worker.evaluate(() => {
    const engine = (
      globalThis as unknown as {
        _tfengine?: {
          memory(): { numTensors: number; numBytes: number };
          registry: Record<string, { wasm?: { HEAPU8?: Uint8Array } }>;
        };
      }
    )._tfengine;
    const m = engine?.memory();
    const heap = engine?.registry['wasm']?.wasm?.HEAPU8?.byteLength ?? 0;
    return { numTensors: m?.numTensors ?? -1, numBytes: m?.numBytes ?? -1, wasmHeapMb: heap / 2 ** 20 };
  });
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux builds this bench runs on). */
const TICKS_PER_SECOND = 100;

/** A thread's CPU time, and its time runnable but waiting for a core (schedstat's run delay: the load's toll). */
export interface ThreadTimes {
  readonly name: string;
  readonly ms: number;
  /** schedstat's time on a core: the same as `ms`, to the nanosecond rather than the clock tick. */
  readonly runMs: number;
  readonly waitMs: number;
}

/** CPU time of each thread of a process (tid → its name, ms and ms waiting for a core), read from /proc. */
export async function threadCpu(pid: number): Promise<Map<number, ThreadTimes>> {
  const out = new Map<number, ThreadTimes>();
  let tids: string[];
  try {
    tids = await readdir(`/proc/${pid}/task`);
  } catch {
    return out; // the process ended
  }
  for (const tid of tids) {
    try {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The name is in parentheses and may hold spaces; the fields after it are space-separated.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name and state.
      const ticks = Number(fields[11]) + Number(fields[12]);
      // schedstat: ns on a core, ns runnable but waiting for one, timeslices.
      const sched = (await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0 0')).split(' ');
      out.set(Number(tid), {
        name: stat.slice(stat.indexOf('(') + 1, close),
        ms: (1000 * ticks) / TICKS_PER_SECOND,
        runMs: Number(sched[0]) / 1e6,
        waitMs: Number(sched[1]) / 1e6,
      });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/**
 * CPU of the engine worker's thread between two readings: of the dedicated workers' threads, the one
 * that used the most (the release worker next to it is mostly idle).
 */
export function engineThreadMs(before: Map<number, ThreadTimes>, after: Map<number, ThreadTimes>): number {
  return engineThread(before, after).ms;
}

/** The engine worker's thread between two readings: its CPU (from stat, from schedstat) and its wait for a core, ms. */
export function engineThread(
  before: Map<number, ThreadTimes>,
  after: Map<number, ThreadTimes>,
): { ms: number; runMs: number; waitMs: number } {
  let most = { ms: 0, runMs: 0, waitMs: 0 };
  for (const [tid, t] of after) {
    if (!/^DedicatedWorker/.test(t.name)) continue;
    const was = before.get(tid);
    const ms = t.ms - (was?.ms ?? 0);
    if (ms > most.ms) most = { ms, runMs: t.runMs - (was?.runMs ?? 0), waitMs: t.waitMs - (was?.waitMs ?? 0) };
  }
  return most;
}
