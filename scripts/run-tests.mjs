#!/usr/bin/env node
// Runs the node:test files of one tier: fast (pure unit tests), statistical, unit, browser (alias e2e) or
// all (every test file of the tree). scripts/test-tiers.mjs decides by rule which file is in which.
// Files run as many at a time as the machine has cores; a run that includes browser tests first
// makes the production build they share, if its sources changed since it was made.
//   node scripts/run-tests.mjs [tier] [part of a path]
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { TIERS, tierFiles } from './test-tiers.mjs';
import { ensureFreshBuild } from './fresh-build.mjs';

const root = process.cwd();
const asked = process.argv[2] ?? 'all';
const tier = asked === 'e2e' ? 'browser' : asked;
if (!TIERS.includes(tier)) {
  console.error(`unknown tier "${asked}"; expected one of ${TIERS.join(', ')} (e2e is browser)`);
  process.exit(2);
}
const filter = process.argv[3];
const files = tierFiles(root, tier).filter((f) => !filter || f.includes(filter));
if (files.length === 0) {
  console.error(`no test files found for tier "${tier}"${filter ? ` matching ${filter}` : ''}`);
  process.exit(1);
}

if (files.some((f) => f.startsWith('tests/e2e/'))) ensureFreshBuild(root);

// How long each file's tests took, kept in .tmp/test-times.json (the latest time of each file) to
// find the slow ones. (Node 20's runner sorts the files by path, so the order given here is not kept.)
const timesFile = join(root, '.tmp', 'test-times.json');
const lastTimes = existsSync(timesFile) ? JSON.parse(readFileSync(timesFile, 'utf8')) : {};
mkdirSync(join(root, '.tmp'), { recursive: true });
const newTimes = `${timesFile}.${process.pid}`;

// Every test file makes its own servers on free ports, temp folders and browser profiles, so files
// can run side by side; TEST_CONCURRENCY=1 runs them one after another.
const concurrency = Number(process.env['TEST_CONCURRENCY']) || availableParallelism();
const args = [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  // A test that waits for an event that never comes fails after twenty minutes instead of holding the run.
  '--test-timeout=1200000',
  `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
  '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/test-times-reporter.mjs',
  `--test-reporter-destination=${newTimes}`,
  ...files,
];
const started = Date.now();
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
console.log(
  `${tier}: ${files.length} files in ${((Date.now() - started) / 1000).toFixed(0)} s, ${concurrency} at a time`,
);
try {
  const times = { ...lastTimes, ...JSON.parse(readFileSync(newTimes, 'utf8')) };
  writeFileSync(timesFile, `${JSON.stringify(times, null, 2)}\n`);
} catch {
  // A run cut short leaves no (or half a) record; the last one stands.
}
rmSync(newTimes, { force: true });
process.exit(result.status ?? 1);
