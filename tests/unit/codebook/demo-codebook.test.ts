// The committed demo codebook, the install step that checks it against its provenance, and the
// rebuild's behaviour without the dataset.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseCodebookJson } from '../../../src/codebook/load-codebook';
import { checkCodebook, type CheckResult, type CodebookProvenance } from '../../../scripts/check-codebooks';

const run = promisify(execFile);
const PROVENANCE = join('data', 'codebooks', 'fashion-10.provenance.json');
const made: string[] = [];
after(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

async function provenance(): Promise<CodebookProvenance> {
  return JSON.parse(await readFile(PROVENANCE, 'utf8')) as CodebookProvenance;
}

/** A folder holding copies of the codebook and the model weights its provenance names. */
async function copyOfTree(p: CodebookProvenance): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'obscura-codebook-check-'));
  made.push(root);
  for (const file of [p.file, p.model.weightsFile]) {
    await mkdir(join(root, dirname(file)), { recursive: true });
    await copyFile(file, join(root, file));
  }
  return root;
}

async function check(root: string, p: CodebookProvenance): Promise<CheckResult> {
  const result: CheckResult = { errors: [], warnings: [], checked: [] };
  await checkCodebook(root, p, result);
  return result;
}

test('the committed fashion-10.json: hash-checked, ten labels, the default model, as its provenance says', async () => {
  const p = await provenance();
  const codebook = await parseCodebookJson(await readFile(p.file, 'utf8'));
  assert.equal(codebook.id, 'fashion-10');
  assert.equal(codebook.hash, p.hash);
  assert.equal(codebook.labels.length, 10);
  assert.equal(codebook.labels[0], 'T-shirt/top');
  assert.deepEqual(codebook.model, { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 });
  assert.equal(codebook.classifier.kind, 'linear');
  assert.equal(p.rebuild, 'npm run build:codebook');
});

test('the install check passes on the tree as installed: the codebook and the weights it was fitted to', async () => {
  const p = await provenance();
  const result = await check('.', p);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings, []);
  assert.equal(result.checked.length, 1);
});

test('the install check fails on a changed, another or a missing codebook, saying what restores it', async () => {
  const p = await provenance();
  const root = await copyOfTree(p);
  const text = await readFile(join(root, p.file), 'utf8');
  // One weight changed, the stated hash kept: the file no longer matches its own hash.
  await writeFile(join(root, p.file), text.replace(/-?\d+\.\d+/, '1.5'));
  const changed = await check(root, p);
  assert.match(
    changed.errors.join('\n'),
    /does not match its hash.*git checkout -- public\/codebooks\/fashion-10\.json/,
  );
  // A valid codebook, but not the one the provenance states.
  await writeFile(join(root, p.file), text);
  const other = await check(root, { ...p, hash: `sha256:${'0'.repeat(64)}` });
  assert.match(other.errors.join('\n'), /its provenance states "fashion-10" sha256:0{64}/);
  assert.deepEqual(other.checked, []);
  await rm(join(root, p.file));
  const missing = await check(root, p);
  assert.match(missing.errors.join('\n'), /fashion-10\.json is missing: it is committed.*npm run build:codebook/);
});

test('other model weights than the ones it was fitted to are a warning, not a failure', async () => {
  const p = await provenance();
  const root = await copyOfTree(p);
  const weights = await readFile(join(root, p.model.weightsFile));
  weights[0] = weights[0]! ^ 1;
  await writeFile(join(root, p.model.weightsFile), weights);
  const result = await check(root, p);
  assert.deepEqual(result.errors, []);
  assert.match(result.warnings.join('\n'), /fitted to other weights .* its labels may be wrong/);
  assert.equal(result.checked.length, 1);
});

test('without Fashion-MNIST a rebuild fails saying what is missing, and leaves the codebook alone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-no-dataset-'));
  made.push(dir);
  const out = join(dir, 'fashion-10.json');
  const failed = await run(process.execPath, ['--import', 'tsx', 'scripts/build-codebook.ts', '--out', out], {
    env: { ...process.env, OBSCURA_FASHION_MNIST_DIR: join(dir, 'missing') },
  }).then(
    () => assert.fail('build-codebook exited 0 without the dataset'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /codebook: FAILED: .*missing not found: rebuilding needs Debian's dataset-fashion-mnist/);
  assert.equal(existsSync(out), false);
});
