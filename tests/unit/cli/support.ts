import { PassThrough, Readable } from 'node:stream';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { main } from '../../../src/cli/main';
import { idxImageAt, readIdxImages, readIdxLabels } from '../../../eval/idx';
import { FASHION_MNIST_CLASSES } from '../../../eval/fashion-classes';
import { FASHION_MNIST_DIR } from '../../support/data-paths';

/** Runs the CLI in this process with in-memory streams. */
export async function cli(
  args: string[],
  stdin = '',
): Promise<{ status: number; stdout: string; lines: Record<string, unknown>[]; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const status = await main(args, { stdin: Readable.from([stdin]), stdout, stderr });
  const lines = out.trimStart().startsWith('{\n')
    ? []
    : out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status, stdout: out, lines, stderr: err };
}

/** The dataset's class names as folder names ('T-shirt/top' → 'T-shirt-top'). */
export const FASHION_LABELS = FASHION_MNIST_CLASSES.map((c) => c.replace(/[/ ]/g, '-'));

/**
 * Writes Fashion-MNIST test images as PNG files, one folder a class under `dir`
 * (`dir/<label>/<index>.png`), skipping the first `skip` images of each class.
 */
export async function writeFashionFolders(
  dir: string,
  classes: readonly number[],
  perClass: number,
  skip = 0,
): Promise<string[]> {
  const images = await readIdxImages(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
  const labels = await readIdxLabels(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'));
  const folders: string[] = [];
  for (const c of classes) {
    const folder = join(dir, FASHION_LABELS[c]!);
    await mkdir(folder, { recursive: true });
    folders.push(folder);
    let seen = 0;
    for (let i = 0; i < images.count && seen < skip + perClass; i++) {
      if (labels[i] !== c) continue;
      if (seen++ < skip) continue;
      const png = await sharp(Buffer.from(idxImageAt(images, i)), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toBuffer();
      await writeFile(join(folder, `${i}.png`), png);
    }
  }
  return folders;
}
