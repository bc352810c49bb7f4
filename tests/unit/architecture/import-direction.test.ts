// Types and code flow one way: every import of the tree's sources obeys the rules of its area,
// and every source file belongs to an area, so a new folder cannot slip past the rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importGraph, sourceFiles, type ImportEdge } from './import-graph';
import { areaName, unassigned, violations } from './import-rules';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FILES = sourceFiles(ROOT);
const EDGES = importGraph(ROOT, FILES);

function reachFrom(edges: readonly ImportEdge[], start: (file: string) => boolean): Set<string> {
  const reach = new Set<string>();
  const next = edges.filter((e) => start(e.from));
  while (next.length > 0) {
    const e = next.pop()!;
    if (reach.has(e.to)) continue;
    reach.add(e.to);
    next.push(...edges.filter((x) => x.from === e.to));
  }
  return reach;
}

function plant(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'obscura-imports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('the walk covers every source folder of the tree', () => {
  for (const folder of ['src/cli/', 'eval/', 'collector/', 'collector/db/', 'aggregator/', 'scripts/', 'bench/'])
    assert.ok(
      FILES.some((f) => f.startsWith(folder)),
      folder,
    );
  assert.ok(FILES.includes('scripts/typecheck.mjs'));
  assert.ok(!FILES.some((f) => f.startsWith('node_modules/') || f.startsWith('tests/')));
});

test('every source file belongs to an area with a rule', () => {
  assert.deepEqual(unassigned(FILES), []);
});

test('every import of the tree follows the rules of its area', () => {
  // The walk saw the edges the rules are about, so an empty result means something.
  const seen = (from: string, to: string) => EDGES.some((e) => areaName(e.from) === from && areaName(e.to) === to);
  assert.ok(seen('report', 'privacy'));
  assert.ok(seen('release', 'ledger'));
  assert.ok(seen('cli', 'engine'));
  assert.ok(seen('collector', 'report'));
  assert.ok(seen('collector', 'collector-db'));
  assert.ok(seen('aggregator', 'secure-aggregation'));
  assert.ok(seen('scripts', 'eval'));
  assert.ok(EDGES.some((e) => e.from.startsWith('src/app/') && e.to === 'src/client/index.ts'));
  const found = violations(EDGES).map((v) => `${v.edge.from} -> ${v.edge.to}: ${v.why}`);
  assert.deepEqual(found, []);
});

test('the engine reaches nothing of ledger, outbox, release or report, even through other files', () => {
  const reach = reachFrom(EDGES, (f) => f.startsWith('src/engine/worker/'));
  assert.ok(reach.size > 0);
  const forbidden = [...reach].filter((f) => ['ledger', 'outbox', 'release', 'report'].includes(areaName(f)));
  assert.deepEqual(forbidden, []);
});

test('nothing in src/ reaches the servers, scripts, benchmarks or tests, even through other files', () => {
  const reach = reachFrom(EDGES, (f) => f.startsWith('src/') && areaName(f) !== 'eval');
  assert.ok(reach.size > 0);
  assert.deepEqual(
    [...reach].filter((f) => !f.startsWith('src/')),
    [],
  );
});

test('the widget loader reaches only src/widget, never the frame, so the host page gets nothing else', () => {
  assert.ok(EDGES.some((e) => e.from.startsWith('src/widget/frame/') && e.to === 'src/client/index.ts'));
  const reach = reachFrom(EDGES, (f) => f === 'src/widget/loader.ts');
  assert.ok(reach.size > 0);
  const outside = [...reach].filter((f) => !f.startsWith('src/widget/') || f.startsWith('src/widget/frame/'));
  assert.deepEqual(outside, []);
});

test('the walker finds a violation planted in real files', () => {
  const root = plant({
    'src/errors.ts': 'export const x = 1;\n',
    'src/ledger/store.ts': "import { x } from '../errors';\nexport const y = x;\n",
    'src/privacy/math.ts': "import type { y } from '../ledger/store';\nexport const z = 1;\n",
    'src/engine/worker/a.ts': "export { y } from '../../ledger/store';\n",
    'src/app/view.ts': "import '../engine/worker/a';\nconst m = import('../client/bridge');\n",
    'src/client/bridge.ts': 'export {};\n',
    'src/cli/send.ts': "import { s } from '../../collector/server.js';\n",
    'collector/server.ts': "import { h } from '../aggregator/http';\nimport { q } from './db/database';\n",
    'collector/store.ts': "import { q } from './db/database';\n",
    'collector/db/database.ts': 'export const q = 1;\n',
    'aggregator/http.ts': 'export const h = 1;\n',
    'scripts/build.mjs': "import '../src/privacy/math';\nimport '../tests/support/helper';\n",
    'tests/support/helper.ts': 'export {};\n',
  });
  const found = violations(importGraph(root)).map((v) => `${v.edge.from} -> ${v.edge.to}`);
  assert.deepEqual(found.sort(), [
    'collector/server.ts -> aggregator/http.ts',
    'collector/server.ts -> collector/db/database.ts',
    'scripts/build.mjs -> tests/support/helper.ts',
    'src/app/view.ts -> src/client/bridge.ts',
    'src/app/view.ts -> src/engine/worker/a.ts',
    'src/cli/send.ts -> collector/server.ts',
    'src/engine/worker/a.ts -> src/ledger/store.ts',
    'src/privacy/math.ts -> src/ledger/store.ts',
  ]);
});

test('test support is for tests and benchmarks only: nothing shipped may import it', () => {
  const root = plant({
    'src/errors.ts': 'export {};\n',
    'src/ledger/queries.ts': "import { recountLedger } from '../../tests/support/ledger-recount';\n",
    'collector/store.ts': "import '../tests/e2e/support/browser';\n",
    'bench/ledger.ts': "import '../tests/support/ledger-recount';\n",
    'tests/e2e/ledger.test.ts': "import './support/browser';\n",
    'tests/support/ledger-recount.ts': "import '../../src/errors';\nexport const recountLedger = 1;\n",
    'tests/e2e/support/browser.ts': 'export {};\n',
  });
  const edges = importGraph(root, [
    ...sourceFiles(root),
    'tests/e2e/ledger.test.ts',
    'tests/support/ledger-recount.ts',
  ]);
  assert.ok(edges.some((e) => e.from === 'bench/ledger.ts'));
  assert.ok(edges.some((e) => e.from === 'tests/e2e/ledger.test.ts'));
  assert.deepEqual(
    violations(edges)
      .map((v) => `${v.edge.from} -> ${v.edge.to}`)
      .sort(),
    ['collector/store.ts -> tests/e2e/support/browser.ts', 'src/ledger/queries.ts -> tests/support/ledger-recount.ts'],
  );
});

test('a source file outside every area is found, wherever it is', () => {
  const root = plant({
    'src/errors.ts': 'export {};\n',
    'src/newpart/a.ts': "import '../errors';\n",
    'tools/b.mjs': 'export {};\n',
    'loose.ts': 'export {};\n',
    'README.md': '# not source\n',
    'node_modules/x/index.js': 'export {};\n',
    'dist/app.js': 'export {};\n',
  });
  const files = sourceFiles(root);
  assert.deepEqual(unassigned(files).sort(), ['loose.ts', 'src/newpart/a.ts', 'tools/b.mjs']);
  assert.deepEqual(
    violations(importGraph(root, files)).map((v) => v.why),
    ['src/newpart/a.ts belongs to no area'],
  );
});
