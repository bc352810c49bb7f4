// Whether the test runner may start one more job now: as many jobs as there are cores, and one more while
// the running jobs leave a core's worth idle by their measured utilisation (CPU seconds over wall seconds:
// a browser file that waits on Chromium's timers, a service worker or a server keeps little of its core
// busy). Never more than one beyond the cores: a file's utilisation was measured beside others, not alone.

/**
 * The share of a core a file keeps busy while it runs, from its last recorded times; 1 when unknown.
 * @param {{ cpu?: unknown, wall?: unknown } | undefined} times
 */
export function utilisation(times) {
  if (typeof times?.cpu !== 'number' || typeof times?.wall !== 'number' || times.wall <= 0) return 1;
  return Math.min(1, Math.max(0.1, times.cpu / times.wall));
}

/**
 * @param {{ active: number, busy: number, cores: number, share: number, extraSlots?: number }} state
 *   `active` jobs run now and keep `busy` cores busy; the candidate keeps `share` of a core busy;
 *   `extraSlots` are slots beyond the cores it may take whatever the utilisation (TEST_BROWSER_EXTRA).
 */
export function mayStart({ active, busy, cores, share, extraSlots = 0 }) {
  if (active < cores + extraSlots) return true;
  return cores > 1 && active < cores + 1 && busy + share <= cores;
}
