// The tiers are a rule over what a test file reaches, not a list: every test file of the tree runs
// in `npm test`, and a file lands in the fast tier only when nothing it imports, directly or through
// other files, starts a browser, a server, a database, a process, a bundler or the model runtime, and
// it does not sample to the statistical thresholds (those files form the statistical tier).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tierFiles } from '../../../scripts/test-tiers.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Builds an import line, so that this file's own text holds none (the rule reads import lines). */
const quote = (specifier: string) => `'${specifier}'`;
function line(head: string, specifier: string): string {
  return head === 'import' ? `${head} ${quote(specifier)};\n` : `${head} from ${quote(specifier)};\n`;
}

function plant(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'obscura-tiers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('npm test runs every test file of the tree; unit and browser split it; fast is part of unit', () => {
  const all = tierFiles(ROOT, 'all');
  const unit = tierFiles(ROOT, 'unit');
  const browser = tierFiles(ROOT, 'browser');
  const fast = tierFiles(ROOT, 'fast');
  const statistical = tierFiles(ROOT, 'statistical');
  assert.ok(all.length > 80);
  assert.ok(statistical.every((f) => unit.includes(f) && !fast.includes(f)));
  assert.ok(statistical.includes('tests/unit/privacy/audit-privunit.test.ts'));
  assert.deepEqual([...unit, ...browser].sort(), all);
  assert.ok(browser.every((f) => f.startsWith('tests/e2e/')));
  assert.ok(fast.every((f) => unit.includes(f)));
  assert.ok(fast.includes('tests/unit/privacy/special.test.ts'));
  assert.ok(fast.includes('tests/unit/architecture/test-tiers.test.ts'));
  for (const slow of ['tests/unit/collector/postgres.test.ts', 'tests/unit/cli/extract.test.ts'])
    assert.ok(unit.includes(slow) && !fast.includes(slow), slow);
});

test('a file reaching a browser, server, database, process or the statistical thresholds is not fast', () => {
  const root = plant({
    'src/math.ts': 'export const one = 1;',
    'src/serve.ts': line('import { createServer }', 'node:http') + 'export const s = createServer;',
    'src/db.ts': `export const open = () => import(${quote('@electric-sql/pglite')});`,
    'tests/support/browser.ts': line('export { chromium }', 'playwright-core'),
    'tests/support/indirect.ts': line('import', '../../src/math') + line('export *', '../../src/serve.js'),
    'tests/unit/pure/math.test.ts': line('import { one }', '../../../src/math') + line('import', 'node:test'),
    'tests/support/stats.ts': 'export const ALPHA = 1e-8;',
    'tests/unit/stat/support.ts': line('export { ALPHA }', '../../support/stats'),
    'tests/unit/stat/draws.test.ts': line('import { ALPHA }', './support') + line('import', '../../../src/math'),
    'tests/unit/pure/fs.test.ts': line('import { readFileSync }', 'node:fs') + line('import', '../../../src/math.ts'),
    'tests/unit/server/serve.test.ts': line('import { s }', '../../support/indirect'),
    'tests/unit/db/db.test.ts': line('import { open }', '../../../src/db'),
    'tests/unit/browser/page.test.ts': line('import { chromium }', '../../support/browser'),
    'tests/unit/cli/run.test.ts': line('import { spawn }', 'node:child_process'),
    'tests/unit/model/tf.test.ts': line('import * as tf', '@tensorflow/tfjs-node'),
    'tests/e2e/app.test.ts': line('import', '../../src/math'),
    'tests/new-folder/odd.test.ts': line('import', '../../src/math'),
  });
  assert.deepEqual(tierFiles(root, 'fast'), ['tests/unit/pure/fs.test.ts', 'tests/unit/pure/math.test.ts']);
  assert.deepEqual(tierFiles(root, 'statistical'), ['tests/unit/stat/draws.test.ts']);
  assert.deepEqual(tierFiles(root, 'browser'), ['tests/e2e/app.test.ts']);
  // A test file in a folder no tier names still runs in `npm test`.
  assert.ok(tierFiles(root, 'all').includes('tests/new-folder/odd.test.ts'));
  assert.equal(tierFiles(root, 'all').length, 10);
});
