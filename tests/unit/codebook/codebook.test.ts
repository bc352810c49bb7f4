// Codebooks: canonical hashing, validation with typed errors, label assignment and fitting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../src/codebook/canonical-json';
import { contentHash } from '../../../src/codebook/content-hash';
import type { CodebookContent } from '../../../src/codebook/codebook-schema';
import { formatCodebook, parseCodebook, parseCodebookJson, sealCodebook } from '../../../src/codebook/load-codebook';
import { assignLabel, requireSameModel } from '../../../src/codebook/assign-label';
import { fitLinear, fitNearestCentroid } from '../../../src/codebook/train';
import { SeededRandom } from '../../../eval/seeded-random';

const MODEL = { id: 'mobilenet_v2', layer: 'block_12_add', dims: 4 };

function content(): CodebookContent {
  return {
    v: 1,
    id: 'test-3',
    model: { ...MODEL },
    labels: ['red', 'green', 'blue'],
    input: 'l2-normalized',
    classifier: {
      kind: 'nearest-centroid',
      centroids: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0.5],
      ],
    },
  };
}

async function rejects(value: unknown, pattern: RegExp): Promise<void> {
  await assert.rejects(parseCodebook(value), (err: Error) => {
    assert.equal(err.name, 'InvalidCodebookError');
    assert.match(err.message, pattern);
    return true;
  });
}

test('canonical JSON sorts keys at every depth and drops whitespace; the hash is SHA-256 of it', async () => {
  const a = { b: [1, { y: 2, x: 'é' }], a: -0.5 };
  const b = { a: -0.5, b: [1, { x: 'é', y: 2 }] };
  assert.equal(canonicalJson(a), '{"a":-0.5,"b":[1,{"x":"é","y":2}]}');
  assert.equal(canonicalJson(a), canonicalJson(b));
  const expected = createHash('sha256').update(canonicalJson(a), 'utf8').digest('hex');
  assert.equal(await contentHash(b), `sha256:${expected}`);
  assert.throws(() => canonicalJson({ x: NaN }), TypeError);
});

test('a sealed codebook round-trips through its file text and keeps its hash', async () => {
  const sealed = await sealCodebook(content());
  assert.match(sealed.hash, /^sha256:[0-9a-f]{64}$/);
  const text = formatCodebook(sealed);
  const parsed = await parseCodebookJson(text);
  assert.deepEqual(parsed, sealed);
  // Key order and layout do not matter, content does.
  const { classifier, ...rest } = sealed;
  const reordered = JSON.parse(JSON.stringify({ classifier, ...rest }));
  assert.equal((await parseCodebook(reordered)).hash, sealed.hash);
  const other = await sealCodebook({ ...content(), labels: ['red', 'green', 'cyan'] });
  assert.notEqual(other.hash, sealed.hash);
});

test('a changed value, a missing hash or a malformed field is an InvalidCodebookError that says where', async () => {
  const sealed = await sealCodebook(content());
  const tampered = JSON.parse(formatCodebook(sealed));
  tampered.classifier.centroids[1][1] = 0.9;
  await rejects(tampered, /does not match its hash/);
  const { hash: _hash, ...noHash } = sealed;
  await rejects(noHash, /hash: missing/);
  await rejects({ ...sealed, hash: 'md5:00' }, /hash: sha256: and 64 lowercase hex digits/);
  await rejects({ ...sealed, labels: ['red', 'green'] }, /classifier\.centroids: expected 2 rows/);
  await rejects({ ...sealed, labels: ['red', 'red', 'blue'] }, /labels\.1: "red" appears twice/);
  await rejects({ ...sealed, model: { ...MODEL, dims: 5 } }, /classifier\.centroids\.0: expected 5 values/);
  await rejects({ ...sealed, input: 'raw' }, /input/);
  await rejects({ ...sealed, extra: 1 }, /extra/);
  await rejects({ ...sealed, id: 'has space' }, /^invalid codebook: id:/);
  await rejects([], /expected a JSON object/);
  await assert.rejects(parseCodebookJson('{"v":'), { name: 'InvalidCodebookError', message: /not JSON/ });
  await assert.rejects(
    sealCodebook({
      ...content(),
      classifier: {
        kind: 'linear',
        weights: [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
          [0, 0, 1, 0],
        ],
        bias: [0, 0],
      },
    }),
    { name: 'InvalidCodebookError', message: /classifier\.bias: expected 3 values/ },
  );
});

test('nearest centroid: cosine to each centroid of the L2-normalised vector, whatever its scale', async () => {
  const codebook = await sealCodebook(content());
  assert.deepEqual(assignLabel(codebook, [5, 1, 0, 0]), { value: 0, label: 'red' });
  assert.deepEqual(assignLabel(codebook, [0.05, 0.01, 0, 0]), { value: 0, label: 'red' });
  assert.deepEqual(assignLabel(codebook, [0, 0.1, 0.3, 0.3]), { value: 2, label: 'blue' });
  // A tie goes to the lowest index.
  assert.equal(assignLabel(codebook, [1, 1, 0, 0]).value, 0);
  assert.throws(() => assignLabel(codebook, [1, 2, 3]), { name: 'InvalidVectorError' });
  assert.throws(() => assignLabel(codebook, [1, NaN, 3, 4]), { name: 'InvalidVectorError' });
});

test('linear: argmax of weights·x + bias over the L2-normalised vector', async () => {
  const codebook = await sealCodebook({
    ...content(),
    classifier: {
      kind: 'linear',
      weights: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 0],
      ],
      bias: [0, 0, 0.5],
    },
  });
  assert.equal(assignLabel(codebook, [10, 0, 0, 0]).label, 'red'); // 1 > 0.5
  assert.equal(assignLabel(codebook, [1, 1, 0, 0]).label, 'red'); // 0.707 > 0.5, tie with green
  assert.equal(assignLabel(codebook, [1, 1, 1, 1]).label, 'red'); // 0.5 each: a three-way tie goes to the first
  assert.equal(assignLabel(codebook, [0.1, 0.1, 1, 1]).label, 'blue'); // 0.07, 0.07, 0.5
});

test('requireSameModel refuses features of another model, layer or size', async () => {
  const codebook = await sealCodebook(content());
  requireSameModel(codebook, MODEL);
  for (const model of [
    { ...MODEL, id: 'other' },
    { ...MODEL, layer: 'out_relu' },
    { ...MODEL, dims: 8 },
  ]) {
    assert.throws(() => requireSameModel(codebook, model), {
      name: 'CodebookMismatchError',
      message: /codebook "test-3" reads mobilenet_v2\/block_12_add \(4 values\)/,
    });
  }
});

/** k noisy clusters in d dimensions around random directions, at random scales (seed fixed). */
function clusters(seed: number, k: number, d: number, perClass: number, noise: number) {
  const rng = new SeededRandom(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => rng.uniform(-1, 1)));
  const vectors: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < k; c++)
    for (let i = 0; i < perClass; i++) {
      const scale = rng.uniform(0.5, 20);
      vectors.push(centres[c]!.map((x) => scale * (x + noise * rng.uniform(-1, 1))));
      labels.push(c);
    }
  return { vectors, labels, k };
}

function accuracyOf(codebookClassifier: CodebookContent['classifier'], data: ReturnType<typeof clusters>, d: number) {
  return sealCodebook({
    ...content(),
    model: { ...MODEL, dims: d },
    labels: Array.from({ length: data.k }, (_, i) => `c${i}`),
    classifier: codebookClassifier,
  }).then(
    (cb) => data.vectors.filter((v, i) => assignLabel(cb, v).value === data.labels[i]).length / data.vectors.length,
  );
}

test('fitting: both classifiers separate held-out clusters; fitting is deterministic', async () => {
  const d = 12;
  const train = clusters(7, 5, d, 40, 0.6);
  // Same centres (same seed prefix), fresh points: draw more and keep the tail.
  const all = clusters(7, 5, d, 80, 0.6);
  const heldOut = {
    vectors: all.vectors.filter((_, i) => i % 80 >= 40),
    labels: all.labels.filter((_, i) => i % 80 >= 40),
    k: 5,
  };
  const centroid = fitNearestCentroid(train);
  const linear = fitLinear(train);
  assert.deepEqual(fitLinear(train), linear);
  const accCentroid = await accuracyOf(centroid, heldOut, d);
  const accLinear = await accuracyOf(linear, heldOut, d);
  assert.ok(accCentroid > 0.9, `nearest centroid held-out accuracy ${accCentroid}`);
  assert.ok(accLinear > 0.9, `linear held-out accuracy ${accLinear}`);
  assert.throws(() => fitLinear({ vectors: [[1, 2]], labels: [0], k: 2 }), /label 1 has no training vector/);
  assert.throws(() => fitNearestCentroid({ vectors: [[1, 2], [1]], labels: [0, 1], k: 2 }), /vector 1 has 1 values/);
});
