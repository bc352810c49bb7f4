// obscura codebook build, and extract --mechanism krr|oue --codebook: a label assigned on the device, then released.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCodebookJson } from '../../../src/codebook/load-codebook';
import { isReport } from '../../support/is-report';
import { cli, writeFashionFolders } from './support';

const CLASSES = [1, 7, 8]; // Trouser, Sneaker, Bag

const setup = (async () => {
  const root = await mkdtemp(join(tmpdir(), 'obscura-codebook-'));
  const train = await writeFashionFolders(join(root, 'clothes'), CLASSES, 6);
  const held = await writeFashionFolders(join(root, 'held-out'), CLASSES, 4, 6);
  const built = await cli(['codebook', 'build', '--labels', ...train]);
  const file = join(root, 'clothes.json');
  await writeFile(file, built.stdout);
  return { root, train, held, built, file };
})();

test("codebook build: labelled folders in, a hash-checked codebook for the extractor's model out", async () => {
  const { built } = await setup;
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stderr, /done: 18 extracted, 0 failed/);
  const codebook = await parseCodebookJson(built.stdout);
  assert.equal(codebook.id, 'clothes', 'the folder holding the label folders names it');
  assert.deepEqual(codebook.labels, ['Trouser', 'Sneaker', 'Bag']);
  assert.deepEqual(codebook.model, { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 });
  assert.equal(codebook.classifier.kind, 'linear');
  assert.equal(codebook.input, 'l2-normalized');
});

test('extract --mechanism krr --codebook: the report releases the label with k-RR; --clean shows it', async () => {
  const { root, file } = await setup;
  const { status, lines, stderr } = await cli([
    'extract',
    '--mechanism',
    'krr',
    '--codebook',
    file,
    '--epsilon',
    '8',
    '--scope',
    'wardrobe',
    '--clean',
    '--batch',
    '4',
    join(root, 'held-out'),
  ]);
  assert.equal(status, 0, stderr);
  assert.equal(lines.length, 12);
  let right = 0;
  for (const line of lines) {
    const report = line['report'] as Record<string, unknown>;
    assert.equal(isReport(report), true, JSON.stringify(report));
    assert.deepEqual(report['model'], { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 });
    assert.equal(report['scope'], 'wardrobe');
    assert.equal(report['projection'], null);
    assert.deepEqual(report['mechanism'], { name: 'krr', epsilon: 8, delta: 0 });
    const category = report['category'] as { codebook: string; k: number; value: number };
    assert.equal(category.codebook, 'clothes');
    assert.equal(category.k, 3);
    const label = line['label'] as { value: number; label: string };
    assert.equal(['Trouser', 'Sneaker', 'Bag'][label.value], label.label);
    assert.equal((line['clean'] as number[]).length, 96);
    // The folder a held-out image sits in is its true label.
    if (String(line['file']).includes(`/${label.label}/`)) right++;
  }
  assert.ok(right >= 10, `${right} of 12 held-out images labelled right`);
});

test('extract --mechanism oue: k bits, and without --clean neither the label nor the vector is printed', async () => {
  const { held, file } = await setup;
  const { status, lines, stderr } = await cli([
    'extract',
    '--mechanism',
    'oue',
    '--codebook',
    file,
    '--epsilon',
    '2',
    held[0]!,
  ]);
  assert.equal(status, 0, stderr);
  assert.equal(lines.length, 4);
  for (const line of lines) {
    assert.deepEqual(Object.keys(line).sort(), ['file', 'model', 'report']);
    const report = line['report'] as { category: { bits: number[]; codebook: string }; mechanism: { name: string } };
    assert.equal(isReport(report), true);
    assert.equal(report.mechanism.name, 'oue');
    assert.equal(report.category.bits.length, 3);
    assert.equal(report.category.codebook, 'clothes');
  }
});

test('privatize --mechanism oue --codebook releases the label of extract --clean lines', async () => {
  const { held, file } = await setup;
  const extracted = await cli(['extract', '--clean', held[1]!]);
  assert.equal(extracted.status, 0, extracted.stderr);
  const clean = extracted.lines[0]!['clean'] as number[];
  const input = [
    ...extracted.lines.map((l) => JSON.stringify(l)),
    JSON.stringify({ vector: clean }),
    JSON.stringify({ vector: clean, model: { id: 'mobilenet_v2', layer: 'block_9_add', dims: 96 } }),
  ].join('\n');
  const { status, lines } = await cli(
    ['privatize', '--mechanism', 'oue', '--codebook', file, '--epsilon', '3', '--scope', 'wardrobe'],
    input,
  );
  assert.equal(status, 1);
  assert.equal(lines.length, 6);
  for (const report of lines.slice(0, 5)) {
    assert.equal(isReport(report), true, JSON.stringify(report));
    assert.deepEqual(report['model'], { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 });
    assert.deepEqual(report['mechanism'], { name: 'oue', epsilon: 3, delta: 0 });
    assert.equal((report['category'] as { codebook: string }).codebook, 'clothes');
    assert.equal(report['scope'], 'wardrobe');
  }
  assert.deepEqual((lines[5]!['error'] as { name: string }).name, 'CodebookMismatchError');
});

test('codebook misuse is a typed error: tampered file, other layer, missing codebook or mechanism', async () => {
  const { root, held, file } = await setup;
  const tampered = join(root, 'tampered.json');
  const json = JSON.parse(await readFile(file, 'utf8'));
  json.labels[2] = 'Handbag';
  await writeFile(tampered, JSON.stringify(json));
  const cases: [string[], string, RegExp][] = [
    [
      ['--mechanism', 'krr', '--codebook', tampered, '--epsilon', '2'],
      'InvalidCodebookError',
      /does not match its hash/,
    ],
    [['--mechanism', 'krr', '--codebook', join(root, 'none.json'), '--epsilon', '2'], 'InvalidCodebookError', /ENOENT/],
    [
      ['--mechanism', 'krr', '--codebook', file, '--epsilon', '2', '--layer', 'block_9_add'],
      'CodebookMismatchError',
      /reads mobilenet_v2\/block_12_add \(96 values\), the features are mobilenet_v2\/block_9_add/,
    ],
    [['--mechanism', 'krr', '--epsilon', '2'], 'InvalidParameterError', /--mechanism krr needs --codebook FILE/],
    [['--codebook', file, '--epsilon', '2'], 'InvalidParameterError', /--mechanism must be krr or oue/],
    [['--mechanism', 'oue', '--codebook', file, '--epsilon', '2', '--dims', '8'], 'InvalidParameterError', /--dims/],
    [['--mechanism', 'krr', '--codebook', file], 'InvalidParameterError', /--epsilon is required/],
    [
      ['--mechanism', 'krr', '--codebook', file, '--epsilon', '2', '--scope', 'my closet'],
      'InvalidParameterError',
      /--scope must be 1-128 letters/,
    ],
  ];
  for (const [flags, name, message] of cases) {
    const { status, stderr } = await cli(['extract', ...flags, held[0]!]);
    assert.equal(status, 2, flags.join(' '));
    assert.match(stderr, new RegExp(name));
    assert.match(stderr, message);
  }
  const one = await cli(['codebook', 'build', '--labels', held[0]!]);
  assert.equal(one.status, 2);
  assert.match(one.stderr, /at least two folders/);
  const twice = await cli(['codebook', 'build', '--labels', held[0]!, join(root, 'clothes', 'Trouser')]);
  assert.match(twice.stderr, /two folders are named "Trouser"/);
});
