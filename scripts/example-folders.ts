/**
 * Makes the README worked example's two folders of pictures, `tshirts/` and `sneakers/`, in the
 * folder it is run from (`npm run example:folders`): 500 PNG files each, cut from the sheets in
 * data/worked-example/ (Fashion-MNIST test images, committed with their provenance), so the
 * example needs nothing but the repository.
 *
 *   node --import tsx scripts/example-folders.ts [--out DIR]
 */
import { realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHEETS_DIR = join(PROJECT, 'data', 'worked-example');
/** Each sheet's folder name; its images are `SIDE` pixels square, in rows of any length. */
export const FOLDERS = ['tshirts', 'sneakers'] as const;
const SIDE = 28;

/** The grey tiles of a sheet, left to right and top to bottom. */
export async function sheetTiles(sheetPath: string): Promise<Buffer[]> {
  const { data, info } = await sharp(sheetPath).raw().toBuffer({ resolveWithObject: true });
  if (info.width % SIDE !== 0 || info.height % SIDE !== 0)
    throw new Error(`${sheetPath}: ${info.width}x${info.height} is not a grid of ${SIDE}x${SIDE} images`);
  const tiles: Buffer[] = [];
  for (let top = 0; top < info.height; top += SIDE)
    for (let left = 0; left < info.width; left += SIDE) {
      const tile = Buffer.alloc(SIDE * SIDE);
      for (let y = 0; y < SIDE; y++)
        for (let x = 0; x < SIDE; x++) tile[y * SIDE + x] = data[((top + y) * info.width + left + x) * info.channels]!;
      tiles.push(tile);
    }
  return tiles;
}

/** Writes `dir/<folder>/NNN.png` for every tile of every sheet; returns the count a folder. */
export async function writeExampleFolders(dir: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const folder of FOLDERS) {
    const tiles = await sheetTiles(join(SHEETS_DIR, `${folder}.png`));
    await mkdir(join(dir, folder), { recursive: true });
    await Promise.all(
      tiles.map(async (tile, i) => {
        const png = await sharp(tile, { raw: { width: SIDE, height: SIDE, channels: 1 } })
          .png()
          .toBuffer();
        await writeFile(join(dir, folder, `${String(i).padStart(3, '0')}.png`), png);
      }),
    );
    counts[folder] = tiles.length;
  }
  return counts;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  // npm runs scripts in the project's folder; INIT_CWD is where `npm run` was typed.
  const dir = resolve(values.out ?? process.env['INIT_CWD'] ?? process.cwd());
  const counts = await writeExampleFolders(dir);
  const where = relative(process.cwd(), dir) || '.';
  console.error(
    `example: wrote ${FOLDERS.map((f) => `${counts[f]} images to ${join(where, f)}/`).join(' and ')} ` +
      `(Fashion-MNIST test images, from ${relative(PROJECT, SHEETS_DIR)}/)`,
  );
}

// Run as a script (argv[1] may be a symlink to this file), not imported by a test.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  main().catch((err: unknown) => {
    console.error(`example: FAILED: ${(err as Error).message}`);
    process.exit(1);
  });
