#!/usr/bin/env node
// Writes dist-lib/package.json and dist-lib/README.md, so the library is packed from dist-lib/
// (`npm run pack:lib`) with a manifest of its own: the repository's package.json carries the
// project's scripts (its `prepare` converts the model from a devDependency), which would fail
// in a user's project; the library's manifest has no scripts and no devDependencies.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist-lib');
if (!existsSync(join(out, 'obscura.js'))) {
  console.error('lib-manifest: dist-lib/obscura.js is missing: run "npm run build:lib"');
  process.exit(1);
}

const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manifest = {
  name: project.name,
  version: project.version,
  description: project.description,
  license: project.license,
  type: 'module',
  main: './obscura.js',
  module: './obscura.js',
  types: './types/index.d.ts',
  exports: {
    '.': { types: './types/index.d.ts', import: './obscura.js', default: './obscura.js' },
    './models/*': './models/*',
    './package.json': './package.json',
  },
  files: ['obscura.js', 'assets/', 'models/', 'types/'],
  // The bundle holds everything it runs; these are for its type declarations.
  dependencies: project.dependencies,
  engines: project.engines,
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
copyFileSync(join(root, 'README.md'), join(out, 'README.md'));
console.error(
  `lib-manifest: wrote dist-lib/package.json (${manifest.name} ${manifest.version}) and dist-lib/README.md`,
);
