/** Budget windows as the controls offer them: lifetime, or a rolling window of whole days (never shorter than one). */
import type { WindowPolicy } from '../../release/index';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The choices of the window selects: value → policy. */
export const WINDOW_CHOICES: readonly {
  readonly value: string;
  readonly label: string;
  readonly policy: WindowPolicy;
}[] = [
  { value: 'lifetime', label: 'lifetime (never refills)', policy: { kind: 'lifetime' } },
  { value: 'rolling-1', label: 'rolling 1 day', policy: { kind: 'rolling', ms: DAY_MS } },
  { value: 'rolling-7', label: 'rolling 7 days', policy: { kind: 'rolling', ms: 7 * DAY_MS } },
  { value: 'rolling-30', label: 'rolling 30 days', policy: { kind: 'rolling', ms: 30 * DAY_MS } },
];

/** The policy of a select's value (lifetime for anything unknown). */
export function windowOf(value: string): WindowPolicy {
  return WINDOW_CHOICES.find((c) => c.value === value)?.policy ?? { kind: 'lifetime' };
}

/** The select value matching a policy (a window that is not a choice maps to the nearest whole days). */
export function windowValue(window: WindowPolicy): string {
  if (window.kind === 'lifetime') return 'lifetime';
  return `rolling-${Math.max(1, Math.round(window.ms / DAY_MS))}`;
}

/** "lifetime" or "rolling 3 days", for text. */
export function describeWindow(window: WindowPolicy): string {
  if (window.kind === 'lifetime') return 'lifetime';
  const days = window.ms / DAY_MS;
  return `rolling ${Number.isInteger(days) ? days : days.toFixed(2)} day${days === 1 ? '' : 's'}`;
}
