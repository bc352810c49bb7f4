import type { Page } from 'playwright-core';
import { copyFile, cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import sharp from 'sharp';
import { SKIMAGE_DIR } from '../../support/data-paths';
import { runDir } from './run-dir';

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.webm': 'video/webm',
  '.txt': 'text/plain',
  '.bmp': 'image/bmp',
  '.avif': 'image/avif',
};

/**
 * Serves real files to the page under /__fixtures__/: skimage photographs by name
 * (skimage/NAME) and files made by the test (generated/NAME).
 */
export async function serveFixtures(page: Page, generatedDir: string): Promise<void> {
  await page.route('**/__fixtures__/**', async (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname.replace(/^\/__fixtures__\//, ''));
    const [kind, ...rest] = path.split('/');
    const name = rest.join('/');
    if (name.includes('..')) return route.fulfill({ status: 400 });
    const file = kind === 'skimage' ? join(SKIMAGE_DIR, name) : join(generatedDir, name);
    try {
      const body = await readFile(file);
      await route.fulfill({
        status: 200,
        body,
        headers: {
          'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'cross-origin-resource-policy': 'same-origin',
        },
      });
    } catch {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });
}

/**
 * Where the first file of a test run to make the fixtures leaves them for the files after it (run-dir.ts):
 * they are made from the same sources every time (a 144 MP PNG, a VP8 video, crops), and making them costs
 * a file seconds of CPU that copying does not. Each file still gets a fresh folder of its own to add to.
 * Outside the runner every file makes its own.
 */
const madeDir = runDir('fixtures');

/** Makes the bad and special inputs the tests feed the engine, in a fresh temp folder. */
export async function makeGeneratedFixtures(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-fixtures-'));
  const made = madeDir && join(madeDir, 'generated');
  if (made && existsSync(made)) {
    await cp(made, dir, { recursive: true });
    return dir;
  }
  await writeGenerated(dir);
  if (madeDir && made) {
    // Copied beside the shared one, then renamed into place: a file starting meanwhile sees all of it or none.
    const staging = await mkdtemp(join(madeDir, 'staging-'));
    try {
      await cp(dir, join(staging, 'generated'), { recursive: true });
      await rename(join(staging, 'generated'), made);
    } catch {
      // Another file left its copy first.
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return dir;
}

async function writeGenerated(dir: string): Promise<void> {
  await writeFile(join(dir, 'empty.jpg'), new Uint8Array(0));
  await writeFile(join(dir, 'text.jpg'), 'This is a text file that was renamed to .jpg.\n');
  await writeFile(
    join(dir, 'drawing.svg'),
    '<?xml version="1.0"?>\n' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
      '<rect width="100" height="100" fill="red"/></svg>\n',
  );
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
    .png()
    .toFile(join(dir, 'one-pixel.png'));
  // 12 000 x 12 000 = 144 MP of one colour: a few KB on disk, refused from its header.
  await sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#336699' } })
    .png({ compressionLevel: 9 })
    .toFile(join(dir, 'huge.png'));
  await writeFile(join(dir, 'empty.webm'), new Uint8Array(0));
  await writeFile(join(dir, 'not-a-video.webm'), 'plain text, not a video\n');
  // Orientation: the same photo stored rotated with EXIF orientation 6, and upright.
  const chelsea = await readFile(join(SKIMAGE_DIR, 'chelsea.png'));
  await sharp(chelsea).jpeg({ quality: 95 }).toFile(join(dir, 'chelsea-upright.jpg'));
  await sharp(chelsea)
    .rotate(270)
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toFile(join(dir, 'chelsea-exif6.jpg'));
  await sharp(chelsea).webp({ quality: 95 }).toFile(join(dir, 'chelsea.webp'));
  await sharp(chelsea).gif().toFile(join(dir, 'chelsea.gif'));
  makeVideo(dir);
}

/** A 3-second VP8 WebM showing three different photographs, one per second. */
function makeVideo(dir: string): void {
  const inputs = ['chelsea.png', 'astronaut.png', 'coffee.png'].flatMap((f) => [
    '-loop',
    '1',
    '-t',
    '1',
    '-i',
    join(SKIMAGE_DIR, f),
  ]);
  const filter =
    '[0:v]scale=320:240,setsar=1[a];[1:v]scale=320:240,setsar=1[b];[2:v]scale=320:240,setsar=1[c];' +
    '[a][b][c]concat=n=3:v=1[v]';
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...inputs,
    '-filter_complex',
    filter,
    '-map',
    '[v]',
    '-r',
    '10',
    '-c:v',
    'libvpx',
    '-b:v',
    '1M',
    '-pix_fmt',
    'yuv420p',
    join(dir, 'three-photos.webm'),
  ]);
}

/** `count` different real photographs (crops of the skimage pictures), as generated/distinct-N.png. */
export async function makeDistinctPhotos(dir: string, count: number): Promise<string[]> {
  const sources = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'motorcycle_left.png'];
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `distinct-${i}.png`;
    names.push(`generated/${name}`);
    const made = madeDir && join(madeDir, name);
    if (made && existsSync(made)) {
      await copyFile(made, join(dir, name));
      continue;
    }
    const src = join(SKIMAGE_DIR, sources[i % sources.length]!);
    const meta = await sharp(src).metadata();
    const size = Math.min(meta.width!, meta.height!) - 60;
    // Offsets with periods 53 and 59 (coprime to the 5 sources): no two crops coincide.
    await sharp(src)
      .extract({ left: (i * 7) % 53, top: (i * 11) % 59, width: size, height: size })
      .resize(256, 256)
      .png()
      .toFile(join(dir, name));
    if (made) {
      // Written aside and renamed: a file reading it meanwhile finds the whole photo or none.
      const aside = `${made}.${process.pid}`;
      await copyFile(join(dir, name), aside);
      await rename(aside, made);
    }
  }
  return names;
}
