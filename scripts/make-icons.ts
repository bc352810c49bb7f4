/**
 * Draws the web app manifest's PNG icons from the app's mark (public/favicon.svg's design):
 * 192 and 512 px "any" icons, and a 512 px maskable one whose mark stays inside the
 * central 80 % safe zone on a full-bleed background. The PNGs are committed; run this
 * again only when the mark changes: `node --import tsx scripts/make-icons.ts`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const out = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'public', 'icons');
const BLUE = '#1f5fbf';

/** The mark on a 32-unit grid; `scale` shrinks it about the centre, `background` fills the whole square. */
function mark(scale: number, background: string | undefined): string {
  const g = `translate(16 16) scale(${scale}) translate(-16 -16)`;
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">',
    background ? `<rect width="32" height="32" fill="${background}"/>` : '',
    `<g transform="${g}"><circle cx="16" cy="16" r="14" fill="${BLUE}"/><circle cx="16" cy="16" r="6" fill="#fff"/>`,
    '<rect x="4" y="15" width="24" height="2" fill="#fff" opacity=".6"/></g></svg>',
  ].join('');
}

async function draw(file: string, size: number, svg: string): Promise<void> {
  await sharp(Buffer.from(svg), { density: (72 * size) / 32 })
    .resize(size, size)
    .png({ compressionLevel: 9, palette: true })
    .toFile(join(out, file));
  console.log(`icons: wrote public/icons/${file}`);
}

mkdirSync(out, { recursive: true });
await draw('icon-192.png', 192, mark(1, undefined));
await draw('icon-512.png', 512, mark(1, undefined));
// Maskable: the platform crops to a circle or squircle; r=14 of 16 scaled by 0.78 stays within the 80 % zone.
await draw('icon-maskable-512.png', 512, mark(0.78, BLUE));
