#!/usr/bin/env node
// Type-checks each runtime's project on its own, so DOM or Node types cannot leak into code that
// must not use them (the privacy math compiles with ES2022 alone). One `tsc -b` over the projects
// that tsconfig.typecheck.json references: each file is checked once, in the project that owns it
// (the others read the declarations it emits to .tmp/tsc/), and a project is checked again only
// when one of its inputs changed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.typecheck.json', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
if (result.status !== 0) console.error('typecheck: failed');
process.exit(result.status ?? 1);
