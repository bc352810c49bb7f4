// Which tier a test file belongs to, decided by what it reaches, so that a new file is placed
// by the same rule as the old ones and no list has to be kept by hand:
// - fast: a unit test whose imports, followed through every local file, reach no browser, no
//   server, no database, no child process, no bundler and no model runtime (pure code only),
//   and no statistical thresholds;
// - statistical: a unit test that reaches the statistical thresholds (tests/support/stats.ts): it
//   draws enough samples that a correct implementation fails less than once in 10^6 runs, which
//   takes tens of seconds to minutes of CPU;
// - unit: every file under tests/unit (the fast and the statistical ones included);
// - browser: every file under tests/e2e (they drive Chromium, most of them on the shared build).
// Whatever the tiers say, `all` is every test file of the tree, so a file no rule foresaw still runs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Packages and built-ins that make a test more than pure code (a prefix ending in `/` names a family). */
export const IMPURE = [
  'playwright-core', // a browser
  '@electric-sql/pglite', // a database
  'pg',
  'node:child_process', // processes: the CLI, the servers, PostgreSQL
  'child_process',
  'node:http', // servers
  'http',
  'node:https',
  'node:net',
  'net',
  'node:worker_threads',
  'vite', // a bundler
  '@tensorflow/', // the model runtime
  'sharp', // the image decoder
  'nsfwjs', // the model's weights
];

const FROM = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/.source;
const SIDE_EFFECT = /import\s*['"]([^'"]+)['"]/.source;
const DYNAMIC = /import\(\s*['"]([^'"]+)['"]\s*\)/.source;
const SPECIFIER = new RegExp(`${FROM}|${SIDE_EFFECT}|${DYNAMIC}`, 'g');

function localTarget(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier.replace(/\?.*$/, ''));
  const ts = base.replace(/\.m?js$/, '.ts');
  for (const candidate of [base, ts, `${base}.ts`, `${base}.mjs`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function isImpure(specifier) {
  return IMPURE.some((p) =>
    p.endsWith('/') ? specifier.startsWith(p) : specifier === p || specifier.startsWith(`${p}/`),
  );
}

/** The statistical thresholds: a test reaching them samples until its error rate is below 10^-8. */
export const STATISTICAL = 'tests/support/stats.ts';

/**
 * What a file reaches through its local imports (static, re-exports, side effects and dynamic
 * `import()`): `files`, the local files (absolute paths), and `impure`, the impure packages as
 * `[package, via file]` pairs (empty for a pure file).
 */
export function reach(file, cache = new Map()) {
  const seen = new Set();
  const found = [];
  const stack = [resolve(file)];
  while (stack.length > 0) {
    const current = stack.pop();
    if (seen.has(current)) continue;
    seen.add(current);
    if (!/\.(?:ts|mts|js|mjs)$/.test(current)) continue;
    let specifiers = cache.get(current);
    if (!specifiers) {
      const text = readFileSync(current, 'utf8');
      specifiers = [...text.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3]).filter(Boolean);
      cache.set(current, specifiers);
    }
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const target = localTarget(current, specifier);
        if (target) stack.push(target);
      } else if (isImpure(specifier)) found.push([specifier, current]);
    }
  }
  return { files: seen, impure: found };
}

/** Every `*.test.ts` under `dir`, sorted, as paths relative to `root`. */
export function testFiles(root, dir) {
  const out = [];
  const walk = (path) => {
    let names;
    try {
      names = readdirSync(path);
    } catch {
      return;
    }
    for (const name of names) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child);
      else if (name.endsWith('.test.ts')) out.push(relative(root, child).split(sep).join('/'));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

export const TIERS = ['fast', 'statistical', 'unit', 'browser', 'all'];

/** The test files of one tier, relative to `root`. */
export function tierFiles(root, tier) {
  const unit = testFiles(root, 'tests/unit');
  const browser = testFiles(root, 'tests/e2e');
  switch (tier) {
    case 'fast':
    case 'statistical': {
      const cache = new Map();
      const stats = resolve(root, STATISTICAL);
      return unit.filter((f) => {
        const { files, impure } = reach(join(root, f), cache);
        const statistical = files.has(stats);
        return tier === 'statistical' ? statistical : impure.length === 0 && !statistical;
      });
    }
    case 'unit':
      return unit;
    case 'browser':
      return browser;
    case 'all':
      return testFiles(root, 'tests');
    default:
      throw new Error(`unknown tier "${tier}"; expected one of ${TIERS.join(', ')}`);
  }
}
