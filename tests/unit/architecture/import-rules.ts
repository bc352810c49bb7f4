/**
 * Which part of the source may import which. Lower layers never import higher ones:
 * privacy → report → codebook → ledger → outbox → release; the engine stands alone; the page
 * code (app) reaches the workers only through the public entries of client and release.
 * `errors.ts`, `error-details.ts` and `model-ref.ts` are shared leaves. An allowed entry ending
 * in `/` is a folder, one with an extension a file, any other an area.
 */
import type { ImportEdge } from './import-graph';

/** The part a file belongs to: its first folder under src, or the file itself at the top. */
export function areaOf(path: string): string {
  const [head, ...rest] = path.split('/');
  return rest.length > 0 ? head! : head!.replace(/\.ts$/, '');
}

const LEAVES = ['errors', 'error-details', 'model-ref'];

interface Rule {
  readonly area: string;
  /** Files or areas this area may import (besides itself). */
  readonly allowed: readonly string[];
  readonly why: string;
}

export const RULES: readonly Rule[] = [
  { area: 'privacy', allowed: ['errors'], why: 'privacy imports nothing else of the project (errors aside)' },
  {
    area: 'analysis',
    allowed: ['privacy', 'errors'],
    why: 'the estimators are pure math over totals: the privacy core and the error names only',
  },
  { area: 'report', allowed: ['privacy', ...LEAVES], why: 'report imports only privacy and the shared leaves' },
  { area: 'ledger', allowed: ['report', 'privacy', ...LEAVES], why: 'the ledger sits below the outbox and release' },
  {
    area: 'outbox',
    allowed: ['ledger', 'report', 'privacy', ...LEAVES],
    why: 'the outbox sits below the release path',
  },
  {
    area: 'codebook',
    allowed: ['report', 'privacy', ...LEAVES],
    why: 'codebooks are pure: a label from a vector, released through the report schema',
  },
  {
    area: 'secure-aggregation',
    allowed: ['privacy', 'errors'],
    why: 'secret sharing builds on the privacy core alone: the release worker and the aggregators both use it',
  },
  {
    area: 'release',
    allowed: ['codebook', 'outbox', 'ledger', 'report', 'privacy', 'secure-aggregation', ...LEAVES],
    why: 'the release worker never imports the engine (no tfjs, no model) nor the page',
  },
  {
    area: 'engine',
    allowed: ['privacy', ...LEAVES],
    why: 'the engine computes only: nothing of ledger, outbox, release or report',
  },
  {
    area: 'client',
    allowed: ['engine', 'release/index.ts', 'release/release.shared-worker.ts', ...LEAVES],
    why: 'the bridges know the workers by their contracts (and start them by their entries)',
  },
  {
    area: 'sw',
    allowed: ['outbox', 'ledger', 'report', 'privacy', 'release/index.ts', ...LEAVES],
    why: "the service worker sends the outbox with the release path's own reporter, never the engine or the page",
  },
  {
    area: 'app',
    allowed: ['client/index.ts', 'release/index.ts', 'sw/sync-tag.ts', 'errors'],
    why: 'the app imports only the public entry points of client and release',
  },
  {
    area: 'widget',
    allowed: ['client/index.ts', 'release/index.ts', 'errors', 'app/components/', 'app/error-text.ts', 'app/theme.css'],
    why: 'the widget frame imports like the app (and reuses its components); the loader only src/widget',
  },
];

export interface Violation {
  readonly edge: ImportEdge;
  readonly why: string;
}

function permits(allowed: readonly string[], target: string): boolean {
  return allowed.some((a) =>
    a.endsWith('/') ? target.startsWith(a) : /\.\w+$/.test(a) ? target === a : areaOf(target) === a,
  );
}

export function violations(edges: readonly ImportEdge[], rules: readonly Rule[] = RULES): Violation[] {
  const out: Violation[] = [];
  for (const edge of edges) {
    const area = areaOf(edge.from);
    const rule = rules.find((r) => r.area === area);
    if (!rule || areaOf(edge.to) === area) continue;
    if (!permits(rule.allowed, edge.to)) out.push({ edge, why: rule.why });
  }
  return out;
}
