// `npm run example:folders`: the README worked example's folders, made from the committed sheets,
// hold exactly the Fashion-MNIST test images their provenance names.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { writeFashionPngs } from '../../support/fashion-pngs';

const run = promisify(execFile);
const work = await mkdtemp(join(tmpdir(), 'obscura-example-folders-'));
after(() => rm(work, { recursive: true, force: true }));

/** The grey pixels of every PNG of `dir`, in file-name order. */
async function pixels(dir: string): Promise<Buffer[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.png')).sort();
  return Promise.all(names.map((n) => sharp(join(dir, n)).extractChannel(0).raw().toBuffer()));
}

test('the script writes 500 PNGs to tshirts/ and sneakers/ and says so', async () => {
  const { stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/example-folders.ts', '--out', work]);
  assert.match(stderr, /example: wrote 500 images to .*tshirts\/ and 500 images to .*sneakers\/ \(Fashion-MNIST/);
  assert.equal((await readdir(join(work, 'tshirts'))).length, 500);
  assert.equal((await readdir(join(work, 'sneakers'))).length, 500);
});

for (const [folder, className] of [
  ['tshirts', 'T-shirt/top'],
  ['sneakers', 'Sneaker'],
] as const)
  test(`${folder}/ holds the first 500 "${className}" test images of Fashion-MNIST, pixel for pixel`, async () => {
    const fromDataset = join(work, `${folder}-from-dataset`);
    await writeFashionPngs(fromDataset, className, 500);
    const [made, expected] = await Promise.all([pixels(join(work, folder)), pixels(fromDataset)]);
    assert.equal(made.length, 500);
    assert.equal(expected.length, 500);
    made.forEach((image, i) => assert.ok(image.equals(expected[i]!), `${folder}/${String(i).padStart(3, '0')}.png`));
  });
