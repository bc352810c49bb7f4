#!/usr/bin/env node
// Type-checks each runtime's project on its own, so DOM or Node types cannot leak
// into code that must not use them (the privacy math compiles with ES2022 alone).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const PROJECTS = [
  'src/privacy',
  'src/analysis',
  'src/codebook',
  'src/secure-aggregation',
  'src/engine',
  'src/release',
  'src/sw',
  'tsconfig.app.json',
  'tsconfig.node.json',
];
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
for (const project of PROJECTS) {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`typecheck: ${project} failed`);
    process.exit(result.status ?? 1);
  }
}
