/** What the page shows of a category release: the label assigned here and the randomized label that left. */
import type { CategoryReleaseOutcome } from '../release/index';
import type { CategoryShown } from './components/result-card';

/** The demo codebook the app offers (committed in public/, served from there, precached for offline use). */
export const DEMO_CODEBOOK = 'codebooks/fashion-10.json';

export function categoryShown(outcome: CategoryReleaseOutcome): CategoryShown {
  const { labels, id } = outcome.codebook;
  const sent = (outcome.report as { category: { value: number } | { bits: readonly (0 | 1)[] } }).category;
  const mechanism = outcome.report.mechanism.name === 'oue' ? 'oue' : 'krr';
  const base = { codebook: id, assigned: outcome.assigned.label, mechanism } as const;
  if ('value' in sent) return { ...base, value: sent.value, valueLabel: labels[sent.value] ?? '?' };
  return { ...base, bits: sent.bits, bitLabels: labels.filter((_, i) => sent.bits[i] === 1) };
}
