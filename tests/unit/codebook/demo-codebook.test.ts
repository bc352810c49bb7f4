// The demo codebook built at install time, and the install step's behaviour without the dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseCodebookJson } from '../../../src/codebook/load-codebook';

const run = promisify(execFile);

test('npm install built public/codebooks/fashion-10.json: hash-checked, ten labels, the default model', async () => {
  const codebook = await parseCodebookJson(await readFile(join('public', 'codebooks', 'fashion-10.json'), 'utf8'));
  assert.equal(codebook.id, 'fashion-10');
  assert.equal(codebook.labels.length, 10);
  assert.equal(codebook.labels[0], 'T-shirt/top');
  assert.deepEqual(codebook.model, { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 });
  assert.equal(codebook.classifier.kind, 'linear');
});

test('without Fashion-MNIST the codebook step says what is missing and lets the install go on', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-no-dataset-'));
  const out = join(dir, 'fashion-10.json');
  const { stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/build-codebook.ts', '--out', out], {
    env: { ...process.env, OBSCURA_FASHION_MNIST_DIR: join(dir, 'missing') },
  });
  assert.match(stderr, /codebook: skipped: .*missing not found \(install Debian's dataset-fashion-mnist/);
  assert.equal(existsSync(out), false);
});
