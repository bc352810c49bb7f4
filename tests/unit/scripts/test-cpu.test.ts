// The test runner's CPU figure for a file: the file's process and the children it waited for, written
// at exit by scripts/test-cpu.mjs, and never by a process the test starts (the variable is removed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRELOAD = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'test-cpu.mjs');

/** Busy work that reports its own CPU seconds on stdout (a fixed amount of work, not of time). */
const BUSY = `let x = 0; for (let i = 0; i < 3e8; i++) x = (x + i) | 0;
const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1e6) + ' ' + (x & 1) + ' ');`;

test('the CPU figure covers the file process and a child it waited for, and the child writes none', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'obscura-test-cpu-')), 'cpu.json');
  const parent = `${BUSY}
const { spawnSync } = await import('node:child_process');
const child = spawnSync(process.execPath, ['--input-type=module', '-e',
  'process.stdout.write(String(process.env.OBSCURA_TEST_CPU_FILE === undefined) + " "); ' + ${JSON.stringify(BUSY)}]);
process.stdout.write(child.stdout.toString());`;
  const run = spawnSync(process.execPath, ['--import', PRELOAD, '--input-type=module', '-e', parent], {
    env: { ...process.env, OBSCURA_TEST_CPU_FILE: out },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const [ownSeconds, , hidden, childSeconds] = run.stdout.trim().split(' ');
  assert.equal(hidden, 'true', 'the child does not see the variable');
  const { cpu } = JSON.parse(readFileSync(out, 'utf8')) as { cpu: number };
  const both = Number(ownSeconds) + Number(childSeconds);
  // /proc counts in hundredths of a second, and the record is made a little after each report.
  assert.ok(cpu >= both - 0.02, `recorded ${cpu} s, the two processes reported ${both} s`);
  assert.ok(cpu < both + 1, `recorded ${cpu} s, the two processes reported ${both} s`);
});
