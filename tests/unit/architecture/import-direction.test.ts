// Types and code flow one way: the real imports under src/ obey the layer rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importGraph } from './import-graph';
import { areaOf, violations } from './import-rules';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');

test('every import under src/ follows the layer rules', () => {
  const edges = importGraph(SRC);
  // The walk saw the edges the rules are about, so an empty result means something.
  assert.ok(edges.some((e) => areaOf(e.from) === 'report' && areaOf(e.to) === 'privacy'));
  assert.ok(edges.some((e) => e.from.startsWith('app/') && e.to === 'client/index.ts'));
  assert.ok(edges.some((e) => e.from.startsWith('release/') && areaOf(e.to) === 'ledger'));
  const found = violations(edges).map((v) => `${v.edge.from} -> ${v.edge.to}: ${v.why}`);
  assert.deepEqual(found, []);
});

test('the engine reaches nothing of ledger, outbox, release or report, even through other files', () => {
  const edges = importGraph(SRC);
  const reach = new Set<string>();
  const next = edges.filter((e) => e.from.startsWith('engine/worker/'));
  while (next.length > 0) {
    const e = next.pop()!;
    if (reach.has(e.to)) continue;
    reach.add(e.to);
    next.push(...edges.filter((x) => x.from === e.to));
  }
  const forbidden = [...reach].filter((f) => ['ledger', 'outbox', 'release', 'report'].includes(areaOf(f)));
  assert.deepEqual(forbidden, []);
});

test('the widget loader reaches only src/widget, never the frame, so the host page gets nothing else', () => {
  const edges = importGraph(SRC);
  assert.ok(edges.some((e) => e.from.startsWith('widget/frame/') && e.to === 'client/index.ts'));
  const reach = new Set<string>();
  const next = edges.filter((e) => e.from === 'widget/loader.ts');
  assert.ok(next.length > 0);
  while (next.length > 0) {
    const e = next.pop()!;
    if (reach.has(e.to)) continue;
    reach.add(e.to);
    next.push(...edges.filter((x) => x.from === e.to));
  }
  const outside = [...reach].filter((f) => !f.startsWith('widget/') || f.startsWith('widget/frame/'));
  assert.deepEqual(outside, []);
});

test('the walker finds a violation planted in real files', () => {
  const root = mkdtempSync(join(tmpdir(), 'obscura-imports-'));
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  file('errors.ts', 'export const x = 1;\n');
  file('ledger/store.ts', "import { x } from '../errors';\nexport const y = x;\n");
  file('privacy/math.ts', "import type { y } from '../ledger/store';\nexport const z = 1;\n");
  file('engine/worker/a.ts', "export { y } from '../../ledger/store';\n");
  file('app/view.ts', "import '../engine/worker/a';\nconst m = import('../client/bridge');\n");
  file('client/bridge.ts', 'export {};\n');
  const found = violations(importGraph(root)).map((v) => `${v.edge.from} -> ${v.edge.to}`);
  assert.deepEqual(found.sort(), [
    'app/view.ts -> client/bridge.ts',
    'app/view.ts -> engine/worker/a.ts',
    'engine/worker/a.ts -> ledger/store.ts',
    'privacy/math.ts -> ledger/store.ts',
  ]);
});
