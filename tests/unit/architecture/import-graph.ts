/**
 * The project's real import graph, read from the sources of the whole tree: every static
 * import, re-export, side-effect import and dynamic import() with a relative specifier,
 * resolved to a file of the tree. Type-only imports count too: types flow one way like code.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

const FROM = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/.source;
const SIDE_EFFECT = /import\s*['"]([^'"]+)['"]/.source;
const DYNAMIC = /import\(\s*['"]([^'"]+)['"]\s*\)/.source;
const SPECIFIER = new RegExp(`${FROM}|${SIDE_EFFECT}|${DYNAMIC}`, 'g');

/** Script files, whatever module flavour. */
const SOURCE = /\.(?:ts|mts|cts|tsx|js|mjs|cjs|jsx)$/;

/**
 * Installed packages, build output and fetched data (as .gitignore lists them), and the tests:
 * a test may import any part it tests, and its fixtures hold import lines as text.
 */
const NOT_SOURCE = new Set([
  'tests',
  'node_modules',
  'dist',
  'dist-dashboard',
  'dist-lib',
  'public/models',
  'public/codebooks',
  'bench/results',
  'test-results',
]);

/** Every source file under `root`, as paths relative to it with forward slashes. */
export function sourceFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = dir ? `${dir}/${name}` : name;
    if (name.startsWith('.') || NOT_SOURCE.has(path)) continue;
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(root, path));
    else if (SOURCE.test(name)) out.push(path);
  }
  return out;
}

function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  // A bundler query (`?worker&url`) names the same file, built another way.
  const base = resolve(dirname(fromFile), specifier.replace(/\?.*$/, ''));
  // TypeScript's node16 style names a .ts file by its .js output.
  const ts = base.replace(/\.js$/, '.ts');
  for (const candidate of [base, ts, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Edges between source files of `root` (the repository), as paths relative to it. */
export function importGraph(root: string, files: readonly string[] = sourceFiles(root)): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const rel = (p: string) => relative(root, p).split(sep).join('/');
  for (const from of files) {
    const file = join(root, from);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (!specifier?.startsWith('.')) continue;
      const target = resolveSpecifier(file, specifier);
      if (!target) throw new Error(`${from}: cannot resolve import "${specifier}"`);
      if (!target.startsWith(root + sep)) continue;
      edges.push({ from, to: rel(target) });
    }
  }
  return edges;
}
