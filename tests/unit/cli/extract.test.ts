// ./bin/obscura extract, run as a person would run it, on real photographs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SKIMAGE_DIR } from '../../support/data-paths';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin', 'obscura');

async function obscura(args: string[]): Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BIN, args, { cwd: tmpdir(), maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, lines: parse(stdout), stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, lines: parse(e.stdout), stderr: e.stderr };
  }
}

function parse(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('extract prints one JSON object per image with the model and the clean vector', async () => {
  const { code, lines, stderr } = await obscura([
    'extract',
    '--clean',
    join(SKIMAGE_DIR, 'chelsea.png'),
    join(SKIMAGE_DIR, 'rocket.jpg'),
  ]);
  assert.equal(code, 0, stderr);
  assert.equal(lines.length, 2);
  for (const line of lines) {
    assert.deepEqual(Object.keys(line).sort(), ['clean', 'file', 'model']);
    const model = line['model'] as { id: string; layer: string; dims: number };
    assert.equal(model.id, 'mobilenet_v2');
    assert.equal((line['clean'] as number[]).length, model.dims);
    assert.ok((line['clean'] as number[]).some((x) => x !== 0));
    assert.equal(model.layer, 'block_12_add');
  }
  assert.match(stderr, /\[2\/2\]/, 'progress on stderr');
  assert.match(stderr, /done: 2 extracted, 0 failed/);
});

test('folders are walked; a bad file gives an error line and a non-zero exit, the rest still come out', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-cli-'));
  await mkdir(join(dir, 'sub'));
  await copyFile(join(SKIMAGE_DIR, 'coffee.png'), join(dir, 'a.png'));
  await copyFile(join(SKIMAGE_DIR, 'truncated.jpg'), join(dir, 'b.jpg'));
  await writeFile(join(dir, 'sub', 'c.jpg'), 'text renamed to jpg');
  await writeFile(join(dir, 'sub', 'd.jpg'), new Uint8Array(0));
  await copyFile(join(SKIMAGE_DIR, 'astronaut.png'), join(dir, 'sub', 'e.png'));
  await writeFile(join(dir, 'notes.txt'), 'not picked up from a folder');
  const { code, lines } = await obscura(['extract', '--batch', '4', dir]);
  assert.equal(code, 1);
  const byFile = Object.fromEntries(lines.map((l) => [String(l['file']).slice(dir.length + 1), l]));
  assert.deepEqual(Object.keys(byFile).sort(), ['a.png', 'b.jpg', 'sub/c.jpg', 'sub/d.jpg', 'sub/e.png']);
  assert.equal((byFile['b.jpg']!['error'] as { name: string }).name, 'DecodeError');
  assert.equal((byFile['sub/c.jpg']!['error'] as { name: string }).name, 'UnsupportedInputError');
  assert.equal((byFile['sub/d.jpg']!['error'] as { name: string }).name, 'DecodeError');
  assert.ok(Array.isArray(byFile['a.png']!['clean']) && Array.isArray(byFile['sub/e.png']!['clean']));
});

test('the CLI gives the same features as extracting one image at a time, and --layer changes the layer', async () => {
  const one = await obscura(['extract', '--clean', join(SKIMAGE_DIR, 'chelsea.png')]);
  const batched = await obscura([
    'extract',
    '--clean',
    '--batch',
    '8',
    join(SKIMAGE_DIR, 'astronaut.png'),
    join(SKIMAGE_DIR, 'chelsea.png'),
  ]);
  const a = one.lines[0]!['clean'] as number[];
  const b = batched.lines[1]!['clean'] as number[];
  assert.ok(a.every((x, i) => Math.abs(x - b[i]!) < 1e-4));
  const layered = await obscura(['extract', '--clean', '--layer', 'out_relu', join(SKIMAGE_DIR, 'chelsea.png')]);
  assert.deepEqual(layered.lines[0]!['model'], { id: 'mobilenet_v2', layer: 'out_relu', dims: 1280 });
});

test('an unknown layer or model is a clear error that lists the valid names', async () => {
  const layer = await obscura(['extract', '--layer', 'nope', join(SKIMAGE_DIR, 'chelsea.png')]);
  assert.equal(layer.code, 2);
  assert.match(layer.stderr, /UnknownLayerError: unknown layer "nope"; the model has: .*out_relu/);
  const model = await obscura(['extract', '--model', 'nope', join(SKIMAGE_DIR, 'chelsea.png')]);
  assert.match(model.stderr, /UnknownModelError: unknown model "nope"; registered: mobilenet_v2/);
});
