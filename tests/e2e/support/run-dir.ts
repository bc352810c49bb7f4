import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A folder of the test run (scripts/run-tests.mjs makes one per run and removes it at the end) where a
 * test file leaves what the files after it may reuse instead of making it again: the dev server's
 * optimised dependencies, production builds of test pages. Undefined outside the runner.
 */
export function runDir(name: string): string | undefined {
  const base = process.env['OBSCURA_TEST_RUN_DIR'];
  if (!base) return undefined;
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
