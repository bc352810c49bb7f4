// Pure unit test files (the fast tier) run several to a process: such a file takes about half a second of
// CPU to start (Node, the TypeScript loader, the imports) and often less to test, so one process per file
// spent more on starting than on testing. A group runs its files one after another, in a fixed order, and
// its output names each failing test's file; a file that fails only beside others is run alone with
// `node scripts/run-tests.mjs fast <file>`.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

/**
 * Splits `files` into at most `count` groups of about equal expected CPU (`weight(file)`), the heaviest
 * file first into the lightest group; each group keeps its files in path order.
 */
export function packGroups(files, weight, count) {
  const groups = Array.from({ length: Math.max(1, Math.min(count, files.length)) }, () => ({ files: [], weight: 0 }));
  const byWeight = [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
  for (const file of byWeight) {
    const lightest = groups.reduce((a, b) => (b.weight < a.weight ? b : a));
    lightest.files.push(file);
    lightest.weight += weight(file);
  }
  return groups.filter((g) => g.files.length > 0).map((g) => ({ files: g.files.sort(), weight: g.weight }));
}

/** The module a group's process runs: it imports each test file, whose tests then run in that order. */
export function groupEntry(root, files) {
  return files.map((file) => `import ${JSON.stringify(pathToFileURL(resolve(root, file)).href)};\n`).join('');
}
