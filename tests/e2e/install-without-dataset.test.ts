// The first hour on a machine without Debian's dataset-fashion-mnist: the project's install step
// (`prepare`, which `npm install` runs) in a copy of the repository's files with the dataset hidden,
// then what the app's category release and the README's worked example need of it: the demo codebook,
// hash-checked, assigning labels on the device; the example's folders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCodebookJson } from '../../src/codebook/load-codebook';
import type { CodebookProvenance } from '../../scripts/check-codebooks';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PROVENANCE = join('data', 'codebooks', 'fashion-10.provenance.json');

let work: string;
let copy: string;
let hidden: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs a command in the copy with the dataset hidden; resolves with its exit code and output. */
function run(command: string, args: readonly string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: copy,
      env: { ...process.env, OBSCURA_FASHION_MNIST_DIR: hidden },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', fail);
    child.once('exit', (code) => done({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'obscura-install-'));
  hidden = join(work, 'no-fashion-mnist');
  await mkdir(hidden);
  copy = join(work, 'obscura');
  // The repository's files as a clone has them (tracked, or new and not ignored): no public/models/, no dist/.
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    // A work tree may hold node_modules as a symlink, which `node_modules/` in .gitignore does not match.
    .filter((file) => file !== '' && file !== 'node_modules');
  for (const file of files) {
    await mkdir(dirname(join(copy, file)), { recursive: true });
    await copyFile(join(ROOT, file), join(copy, file)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err; // deleted in the work tree, not yet in the index
    });
  }
  // The packages npm would install (installing them again would reach the registry).
  await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('the install step completes without the dataset and says what it did', async (t) => {
  const prepare = await run('npm', ['run', 'prepare']);
  t.diagnostic(`npm run prepare in a fresh copy: ${prepare.seconds.toFixed(1)} s`);
  assert.equal(prepare.code, 0, prepare.stderr);
  assert.match(prepare.stderr, /model: converted nsfwjs [\d.]+ mobilenet_v2 into .*public\/models\/mobilenet_v2/);
  assert.match(prepare.stderr, /codebook: checked public\/codebooks\/fashion-10\.json \(fashion-10, 10 labels/);
  assert.doesNotMatch(prepare.stderr, /WARNING|FAILED|skipped/);
});

test('the demo codebook is there and is the one its provenance states', async () => {
  const provenance = JSON.parse(await readFile(join(copy, PROVENANCE), 'utf8')) as CodebookProvenance;
  const codebook = await parseCodebookJson(await readFile(join(copy, provenance.file), 'utf8'));
  assert.equal(codebook.id, 'fashion-10');
  assert.equal(codebook.hash, provenance.hash);
});

test('a category release assigns a label with the codebook on the device and releases it with k-RR', async () => {
  const folders = await run('npm', ['run', 'example:folders']);
  assert.equal(folders.code, 0, folders.stderr);
  assert.equal((await readdir(join(copy, 'sneakers'))).length, 500);
  const images = ['000', '001', '002', '003'].map((n) => `sneakers/${n}.png`);
  const extract = await run('./bin/obscura', [
    'extract',
    '--clean',
    '--mechanism',
    'krr',
    '--codebook',
    'public/codebooks/fashion-10.json',
    '--epsilon',
    '2',
    '--scope',
    'krr',
    ...images,
  ]);
  assert.equal(extract.code, 0, extract.stderr);
  const lines = extract.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { label: { label: string }; report: { category: { codebook: string; k: number } } });
  assert.equal(lines.length, images.length);
  for (const line of lines)
    assert.deepEqual([line.report.category.codebook, line.report.category.k], ['fashion-10', 10]);
  // Assignment is deterministic: these four sneakers are labelled as sneakers by the committed codebook.
  assert.deepEqual(
    lines.map((l) => l.label.label),
    images.map(() => 'Sneaker'),
  );
});

test('a missing codebook stops the install step, saying what restores it', async () => {
  await rm(join(copy, 'public', 'codebooks', 'fashion-10.json'));
  const prepare = await run('npm', ['run', 'prepare']);
  assert.notEqual(prepare.code, 0);
  assert.match(
    prepare.stderr,
    /codebook: FAILED: public\/codebooks\/fashion-10\.json is missing: it is committed \(git checkout -- /,
  );
});
