/**
 * Fashion-MNIST test images written as PNG files, the way a person's files reach the
 * extractor (Debian's dataset-fashion-mnist; the same loader as the evals).
 */
import sharp from 'sharp';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { idxImageAt, readIdxImages, readIdxLabels } from '../../eval/idx';
import { FASHION_MNIST_CLASSES } from '../../eval/fashion-classes';
import { FASHION_MNIST_DIR } from './data-paths';

/**
 * Writes the first `count` test-set images of the class named `className` into `dir`
 * (created if missing) as PNG files named `<index>.png`; returns their paths.
 */
export async function writeFashionPngs(dir: string, className: string, count: number): Promise<string[]> {
  const label = FASHION_MNIST_CLASSES.indexOf(className);
  if (label < 0) throw new Error(`no Fashion-MNIST class "${className}"; classes: ${FASHION_MNIST_CLASSES.join(', ')}`);
  const images = await readIdxImages(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
  const labels = await readIdxLabels(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'));
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (let i = 0; i < labels.length && paths.length < count; i++) {
    if (labels[i] !== label) continue;
    const grey = Buffer.from(idxImageAt(images, i));
    const png = await sharp(grey, { raw: { width: images.cols, height: images.rows, channels: 1 } })
      .png()
      .toBuffer();
    const path = join(dir, `${String(i).padStart(5, '0')}.png`);
    await writeFile(path, png);
    paths.push(path);
  }
  if (paths.length < count) throw new Error(`only ${paths.length} "${className}" test images, ${count} asked`);
  return paths;
}
