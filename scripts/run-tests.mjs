#!/usr/bin/env node
// Runs the node:test files of one suite (unit, e2e or all). Node 20's --test
// does not expand globs, so the files are collected here.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const suites = { unit: ['tests/unit'], e2e: ['tests/e2e'], all: ['tests/unit', 'tests/e2e'] };
const suite = process.argv[2] ?? 'all';
const dirs = suites[suite];
if (!dirs) {
  console.error(`unknown suite "${suite}"; expected one of ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
const filter = process.argv[3];

function collect(dir) {
  let out = [];
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = dirs
  .flatMap(collect)
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no test files found for suite "${suite}"${filter ? ` matching ${filter}` : ''}`);
  process.exit(1);
}
// Browser tests share the machine's two cores: one file at a time keeps their timings honest.
const concurrency = suite === 'unit' ? 2 : 1;
const args = [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  // A test that waits for an event that never comes fails after twenty minutes instead of holding the run.
  '--test-timeout=1200000',
  ...files.map((f) => relative(process.cwd(), f)),
];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
