/**
 * The project's real import graph, read from the sources: every static import,
 * re-export, side-effect import and dynamic import() with a relative specifier,
 * resolved to a file under the source root. Type-only imports count too: types
 * flow one way like code.
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

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  // A bundler query (`?worker&url`) names the same file, built another way.
  const base = resolve(dirname(fromFile), specifier.replace(/\?.*$/, ''));
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Edges between files of `root`, as paths relative to it with forward slashes. */
export function importGraph(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const rel = (p: string) => relative(root, p).split(sep).join('/');
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (!specifier?.startsWith('.')) continue;
      const target = resolveSpecifier(file, specifier);
      if (!target) throw new Error(`${rel(file)}: cannot resolve import "${specifier}"`);
      if (!target.startsWith(root + sep)) continue;
      edges.push({ from: rel(file), to: rel(target) });
    }
  }
  return edges;
}
