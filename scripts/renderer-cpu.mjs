// CPU time of the Chromium renderers and GPU processes a test file starts. A renderer is forked by
// Chromium's zygote, and the GPU process (where software WebGL and WebGPU run) is not reaped by the
// browser before it exits: neither is waited for through the test's process, so their time never
// reaches the children's total that scripts/test-cpu.mjs reads. Instead, while files run, /proc is
// read a few times a second and the last time seen of each such process below a file's process is
// kept (it misses at most one interval of each one's life: the end, when a page closes). Linux only;
// elsewhere it counts nothing.
import { readdirSync, readFileSync } from 'node:fs';

const INTERVAL_MS = 250;
const TICKS = 100; // USER_HZ

/** [ppid, user + system seconds] of a process, or undefined if it is gone. */
function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[1]), (Number(fields[11]) + Number(fields[12])) / TICKS, fields[19]];
  } catch {
    return undefined;
  }
}

/**
 * 'counted' (a renderer or the GPU process), 'other', or 'unknown' for a process whose command line is
 * still the zygote's: a renderer is forked from the zygote and says what it is only a moment later, so a
 * look in that moment decides nothing (kept as 'other', a renderer caught there would never be counted).
 */
function kindOf(pid) {
  let line;
  try {
    line = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'unknown';
  }
  if (line.includes('--type=renderer') || line.includes('--type=gpu-process')) return 'counted';
  return line.includes('--type=zygote') ? 'unknown' : 'other';
}

export class RendererCpu {
  /** root pid → (renderer key → seconds last seen) */
  #roots = new Map();
  /** `pid:start` → whether that process is counted (read until its command line tells). */
  #kinds = new Map();
  #timer;

  /** Starts counting the renderers and GPU processes below `pid`. */
  watch(pid) {
    this.#roots.set(pid, new Map());
    if (!this.#timer && process.platform === 'linux') {
      this.#timer = setInterval(() => this.#sample(), INTERVAL_MS);
      this.#timer.unref();
    }
  }

  /** Stops counting below `pid` and gives the seconds seen of the processes counted. */
  stop(pid) {
    this.#sample();
    const seen = this.#roots.get(pid);
    this.#roots.delete(pid);
    if (this.#roots.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    let total = 0;
    for (const seconds of seen?.values() ?? []) total += seconds;
    return total;
  }

  #sample() {
    if (this.#roots.size === 0) return;
    let pids;
    try {
      pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
    } catch {
      return;
    }
    const parent = new Map();
    const info = new Map();
    for (const name of pids) {
      const s = stat(name);
      if (!s) continue;
      const pid = Number(name);
      parent.set(pid, s[0]);
      info.set(pid, s);
    }
    for (const [pid, [, seconds, start]] of info) {
      // Which watched file's process (if any) this one descends from.
      let up = parent.get(pid);
      let depth = 0;
      while (up !== undefined && up > 1 && !this.#roots.has(up) && depth++ < 64) up = parent.get(up);
      const seen = up === undefined ? undefined : this.#roots.get(up);
      if (!seen) continue;
      const key = `${pid}:${start}`;
      let counted = this.#kinds.get(key);
      if (counted === undefined) {
        const kind = kindOf(pid);
        if (kind !== 'unknown') this.#kinds.set(key, kind === 'counted');
        counted = kind === 'counted';
      }
      if (counted) seen.set(key, seconds);
    }
  }
}
