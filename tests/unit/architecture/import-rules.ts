/**
 * Which part of the tree may import which, as data over every source folder. Lower layers never
 * import higher ones: privacy → report → codebook → ledger → outbox → release; the engine stands
 * alone; the page code (app, widget) reaches the workers only through the public entries of
 * client and release. Nothing in src/ imports the servers, scripts, benchmarks or tests; the
 * collector and the aggregators take from src/ only the layers they need, and never each other.
 *
 * An area owns folders (ending in `/`) and files, by path from the repository root; a file
 * belongs to the area with the longest matching path, and a source file in no area is an error.
 * An allowed entry is an area's name, a folder (ending in `/`) or a file (with an extension).
 */
import type { ImportEdge } from './import-graph';

export interface Area {
  readonly name: string;
  readonly paths: readonly string[];
  /** Areas, folders or files this area may import (besides itself); `*` is anything. */
  readonly allowed: readonly string[];
  /** When set, only these areas, folders or files may import this area. */
  readonly onlyFrom?: readonly string[];
  readonly why: string;
}

const LEAVES = ['errors', 'model-ref'];

/** The pure layers every Node-side part may build on. */
const CORE = ['privacy', 'analysis', 'report', 'codebook', 'secure-aggregation', ...LEAVES];

export const AREAS: readonly Area[] = [
  {
    name: 'errors',
    paths: ['src/errors.ts', 'src/error-details.ts'],
    allowed: [],
    why: 'the error names are a leaf: every part may use them, they use no part',
  },
  {
    name: 'model-ref',
    paths: ['src/model-ref.ts'],
    allowed: ['src/privacy/limits.ts'],
    why: 'the model reference a report carries is a leaf over the public limits',
  },
  {
    name: 'number-flag',
    paths: ['src/number-flag.ts'],
    allowed: ['errors'],
    why: 'how a numeric flag reads, one rule for the CLI and the servers',
  },
  { name: 'privacy', paths: ['src/privacy/'], allowed: ['errors'], why: 'privacy imports nothing else (errors aside)' },
  {
    name: 'analysis',
    paths: ['src/analysis/'],
    allowed: ['privacy', 'errors'],
    why: 'the estimators are pure math over totals: the privacy core and the error names only',
  },
  { name: 'report', paths: ['src/report/'], allowed: ['privacy', ...LEAVES], why: 'report builds on privacy only' },
  {
    name: 'codebook',
    paths: ['src/codebook/'],
    allowed: ['report', 'privacy', ...LEAVES],
    why: 'codebooks are pure: a label from a vector, released through the report schema',
  },
  {
    name: 'secure-aggregation',
    paths: ['src/secure-aggregation/'],
    allowed: ['privacy', 'errors'],
    why: 'secret sharing builds on the privacy core alone: the release worker and the aggregators both use it',
  },
  {
    name: 'ledger',
    paths: ['src/ledger/'],
    allowed: ['report', 'privacy', ...LEAVES],
    why: 'the ledger sits below the outbox and release',
  },
  {
    name: 'outbox',
    paths: ['src/outbox/'],
    allowed: ['ledger', 'report', 'privacy', ...LEAVES],
    why: 'the outbox sits below the release path',
  },
  {
    name: 'release',
    paths: ['src/release/'],
    allowed: ['codebook', 'outbox', 'ledger', 'report', 'privacy', 'secure-aggregation', ...LEAVES],
    why: 'the release worker never imports the engine (no tfjs, no model) nor the page',
  },
  {
    name: 'engine',
    paths: ['src/engine/'],
    allowed: ['privacy', ...LEAVES],
    why: 'the engine computes only: nothing of ledger, outbox, release or report',
  },
  {
    name: 'client',
    paths: ['src/client/'],
    allowed: ['engine', 'src/release/index.ts', 'src/release/release.shared-worker.ts', ...LEAVES],
    why: 'the bridges know the workers by their contracts (and start them by their entries)',
  },
  {
    name: 'sw',
    paths: ['src/sw/'],
    allowed: [
      'outbox',
      'ledger',
      'report',
      'privacy',
      'src/release/index.ts',
      'src/release/ledger-delta.ts',
      ...LEAVES,
    ],
    why:
      "the service worker sends the outbox with the release path's own reporter and announces its " +
      'deltas, never the engine or the page',
  },
  {
    name: 'app',
    paths: ['src/app/'],
    allowed: ['src/client/index.ts', 'src/release/index.ts', 'src/sw/sync-tag.ts', 'src/engine/in-turns.ts', 'errors'],
    why:
      'the app imports only the public entry points of client and release, and the plain timing of passing ' +
      'things on in turns that the engine worker uses too',
  },
  {
    name: 'widget',
    paths: ['src/widget/'],
    allowed: [
      'src/client/index.ts',
      'src/release/index.ts',
      'errors',
      'src/app/components/',
      'src/app/error-text.ts',
      'src/app/theme.css',
      'src/report/host-scope-name.ts',
    ],
    why: 'the widget frame imports like the app (its components, one host-scope naming); the loader only src/widget',
  },
  {
    name: 'library',
    paths: ['src/index.ts'],
    allowed: ['client', 'engine', 'src/release/index.ts', ...LEAVES],
    why: "the library's public API re-exports the page side: the bridges, the engine's contracts, release/index",
  },
  {
    name: 'cli',
    paths: ['src/cli/'],
    allowed: [...CORE, 'engine', 'outbox', 'number-flag'],
    why: 'the CLI extracts in Node and releases with the same mechanisms: never the ledger, release worker or page',
  },
  {
    name: 'eval',
    paths: ['eval/'],
    allowed: [...CORE],
    onlyFrom: ['scripts', 'bench'],
    why: 'evaluation code lives outside src/ and serves the evaluation scripts and benchmarks; nothing shipped uses it',
  },
  {
    name: 'server-kit',
    paths: ['server-kit/'],
    allowed: ['errors'],
    onlyFrom: ['collector', 'aggregator', 'scripts', 'bench', 'tests'],
    why:
      'the one way the servers (app, collector, aggregators) answer HTTP: it knows no server, ' +
      'and nothing shipped to a browser serves',
  },
  {
    name: 'collector',
    paths: ['collector/'],
    allowed: ['analysis', 'codebook', 'report', 'privacy', 'number-flag', 'server-kit', ...LEAVES, 'collector-db'],
    why: 'the collector checks reports with the shared schema and sums them: never the device, never an aggregator',
  },
  {
    name: 'collector-db',
    paths: ['collector/db/'],
    allowed: ['errors'],
    // The queries the store runs are its own modules; the handler and the rest go through the store.
    onlyFrom: [
      'collector/store.ts',
      'collector/batch-writer.ts',
      'collector/buckets.ts',
      'collector/range-totals.ts',
      'collector/report-pages.ts',
      'collector/train-store.ts',
    ],
    why: 'storage is reached only through the store',
  },
  {
    name: 'dashboard',
    paths: ['collector/dashboard/'],
    allowed: ['src/report/host-scope-name.ts'],
    why:
      'the dashboard is a page of its own that knows the collector only over HTTP ' +
      '(and reads widget scope names back with the one naming function)',
  },
  {
    name: 'aggregator',
    paths: ['aggregator/'],
    allowed: ['privacy', 'secure-aggregation', 'number-flag', 'server-kit', 'src/report/share-body.ts', ...LEAVES],
    why:
      'an aggregator sums shares with the shared codec and estimates, and parses uploads with the one share ' +
      'schema: never the collector or the device',
  },
  {
    name: 'scripts',
    paths: ['scripts/'],
    allowed: [...CORE, 'engine', 'eval', 'collector', 'aggregator', 'server-kit', 'tests/support/data-paths.ts'],
    why: 'build and evaluation scripts run the Node-side parts; of the tests only where installed datasets live',
  },
  {
    name: 'bench',
    paths: ['bench/'],
    allowed: ['*'],
    why: 'benchmarks measure any part, driven through the same harness as the tests',
  },
  {
    name: 'build-config',
    paths: ['vite.config.ts', 'vite.lib.config.ts', 'vite.widget.config.ts', 'vite.dashboard.config.ts'],
    allowed: ['scripts'],
    why: 'the bundler configs use the build plugins in scripts/',
  },
  {
    name: 'test-support',
    paths: ['tests/support/', 'tests/e2e/support/'],
    allowed: ['*'],
    onlyFrom: ['tests', 'bench', 'scripts'],
    why:
      'what only tests and benchmarks use (reference recounts, report checks, harnesses) lives in test support: ' +
      'nothing shipped imports it',
  },
  {
    name: 'tests',
    paths: ['tests/'],
    allowed: ['*'],
    why: 'a test imports what it tests (tests are not walked: their fixtures hold import lines as text)',
  },
];

function matches(path: string, file: string): boolean {
  return path.endsWith('/') ? file.startsWith(path) : file === path;
}

/** The area a file belongs to: the one with the longest path matching it. */
export function areaOf(file: string, areas: readonly Area[] = AREAS): Area | undefined {
  let best: Area | undefined;
  let length = -1;
  for (const area of areas)
    for (const path of area.paths)
      if (matches(path, file) && path.length > length) [best, length] = [area, path.length];
  return best;
}

/** The name of a file's area ('' for none). */
export function areaName(file: string): string {
  return areaOf(file)?.name ?? '';
}

/** Source files that belong to no area, so no rule would see them. */
export function unassigned(files: readonly string[], areas: readonly Area[] = AREAS): string[] {
  return files.filter((f) => !areaOf(f, areas));
}

export interface Violation {
  readonly edge: ImportEdge;
  readonly why: string;
}

function permits(entries: readonly string[], file: string, areas: readonly Area[]): boolean {
  return entries.some((e) =>
    e === '*'
      ? true
      : e.endsWith('/')
        ? file.startsWith(e)
        : /\.\w+$/.test(e)
          ? file === e
          : areaOf(file, areas)?.name === e,
  );
}

export function violations(edges: readonly ImportEdge[], areas: readonly Area[] = AREAS): Violation[] {
  const out: Violation[] = [];
  for (const edge of edges) {
    const from = areaOf(edge.from, areas);
    const to = areaOf(edge.to, areas);
    if (!from) out.push({ edge, why: `${edge.from} belongs to no area` });
    else if (!to) out.push({ edge, why: `${edge.to} belongs to no area` });
    else if (from === to) continue;
    else if (!permits(from.allowed, edge.to, areas)) out.push({ edge, why: from.why });
    else if (to.onlyFrom && !permits(to.onlyFrom, edge.from, areas)) out.push({ edge, why: to.why });
  }
  return out;
}
