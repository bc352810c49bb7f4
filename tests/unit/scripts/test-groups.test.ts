// The runner's groups of pure unit files: every file in exactly one group, the groups' expected CPU even,
// and a group's entry importing its files in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { groupEntry, packGroups } from '../../../scripts/test-groups.mjs';

const weights: Record<string, number> = { a: 5, b: 4, c: 3, d: 3, e: 1, f: 1, g: 1 };
const weight = (f: string) => weights[f]!;

test('each file lands in one group; the heaviest go first to the lightest group', () => {
  const groups = packGroups(Object.keys(weights), weight, 2);
  assert.deepEqual(groups.flatMap((g) => g.files).sort(), Object.keys(weights).sort());
  assert.deepEqual(
    groups.map((g) => g.weight),
    [9, 9],
  );
  assert.deepEqual(groups[0]!.files, ['a', 'd', 'f']);
  assert.deepEqual(groups[1]!.files, ['b', 'c', 'e', 'g']);
});

test('no more groups than files, and never none', () => {
  assert.equal(packGroups(['a', 'b'], weight, 8).length, 2);
  assert.deepEqual(packGroups(['a'], weight, 0), [{ files: ['a'], weight: 5 }]);
});

test("a group's entry runs its files' tests in one process, in order", () => {
  const dir = mkdtempSync(join(tmpdir(), 'obscura-groups-'));
  try {
    for (const name of ['one', 'two'])
      writeFileSync(
        join(dir, `${name}.test.mjs`),
        `import { test } from 'node:test';\ntest('${name}', () => console.log('ran ${name} in', process.pid));\n`,
      );
    writeFileSync(join(dir, 'entry.mjs'), groupEntry(dir, ['one.test.mjs', 'two.test.mjs']));
    // Run as the runner runs it: on its own, not as a child of this test's runner.
    const env = { ...process.env };
    delete env['NODE_TEST_CONTEXT'];
    const out = spawnSync(process.execPath, ['--test-reporter=tap', join(dir, 'entry.mjs')], { encoding: 'utf8', env });
    assert.equal(out.status, 0, out.stderr);
    const ran = [...out.stdout.matchAll(/ran (\w+) in (\d+)/g)];
    assert.deepEqual(
      ran.map((m) => m[1]),
      ['one', 'two'],
    );
    assert.equal(new Set(ran.map((m) => m[2])).size, 1, 'one process');
    assert.match(out.stdout, /# tests 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
