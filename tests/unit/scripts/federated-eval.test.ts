// The federated evaluation's pipeline on a few hundred devices with well-separated synthetic features:
// it writes exactly the JSON fields issue 22 names, keeps every round within 5 % of the devices, trains
// heads that classify at every ε, writes a valid codebook, and its round replayed through Prio3 with real
// aggregators gives exactly the mechanism math's sum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '../../../eval/seeded-random';
import { zeroHead } from '../../../src/codebook/linear-head';
import { parseCodebookJson } from '../../../src/codebook/load-codebook';
import { dealDevices } from '../../../scripts/federated/devices';
import type { FederatedData, Split } from '../../../scripts/federated/data';
import { evaluateFederated } from '../../../scripts/federated/eval';
import { featureStats } from '../../../src/codebook/standardise';
import { DEFAULT_CONFIG } from '../../../scripts/federated/schedule';

const K = 10;
const DIMS = 8;

/** Ten classes around fixed centres in 8 dimensions, with spread small beside their distances. */
function mixture(n: number, centres: number[][], rng: SeededRandom): Split {
  const labels = Uint8Array.from({ length: n }, (_, i) => i % K);
  const vectors = Array.from(labels, (c) => Float32Array.from(centres[c]!, (m) => m + 0.15 * (rng.next() - 0.5)));
  return { vectors, labels };
}

function syntheticData(devices: number): FederatedData {
  const rng = new SeededRandom(3);
  const centres = Array.from({ length: K }, () => Array.from({ length: DIMS }, () => rng.next() - 0.5));
  // Enough examples that every device is dealt some (10 is the most a device gets).
  const train = mixture(devices * 10, centres, rng);
  const test = mixture(1000, centres, rng);
  const options = { devices, alpha: 0.5, minExamples: 2, maxExamples: 10 };
  return {
    kind: 'stand-in',
    model: { id: 'synthetic', layer: 'mixture', dims: DIMS },
    train,
    test,
    devices: dealDevices(train.labels, K, options, new SeededRandom(5)),
    zero: zeroHead(K, DIMS),
    publicHead: zeroHead(K, DIMS),
    publicCodebookPath: 'none',
    publicStats: featureStats(train.vectors.slice(0, 100)),
  };
}

test('the evaluation on 300 devices: the stated JSON, rounds within 5 %, a Prio3 round equal to the math', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-federated-'));
  try {
    const data = syntheticData(300);
    const config = { ...DEFAULT_CONFIG, devicesPerRound: 15, maxParticipations: 1, rounds: 20 };
    const { summary, slice } = await evaluateFederated(
      { sliceRounds: 1, sliceDevices: 10, outDir: dir, codebookDir: dir, config, epsilons: [1, 2, 4, 8], init: 'zero' },
      data,
    );
    const json = JSON.parse(await readFile(join(dir, 'federated.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), [
      'codebook',
      'delta',
      'devices',
      'devicesPerRound',
      'maxParticipation',
      'nonPrivateAccuracy',
      'publicCodebookAccuracy',
      'results',
      'rounds',
    ]);
    assert.deepEqual(json, JSON.parse(JSON.stringify(summary)));
    assert.deepEqual(
      summary.results.map((r) => r.epsilon),
      [1, 2, 4, 8],
    );
    assert.equal(summary.devices, data.devices.length);
    // Every device takes part once, so the rounds are as many as full rounds of 15 fit in the devices.
    assert.equal(summary.rounds, Math.floor(data.devices.length / 15));
    assert.ok(summary.maxParticipation <= 0.05, `${summary.maxParticipation}`);
    assert.equal(summary.delta, 1e-6);
    // Chance is 10 %; the classes barely overlap, so a head that learned anything is far above it.
    assert.ok(summary.nonPrivateAccuracy > 0.9, `${summary.nonPrivateAccuracy}`);
    const at8 = summary.results.find((r) => r.epsilon === 8)!.accuracy;
    assert.ok(at8 > 0.4, `ε 8: ${at8}`);

    assert.equal(slice.length, 1);
    assert.equal(slice[0]!.reports, 10);
    assert.equal(slice[0]!.roundDevices, 15);
    assert.equal(slice[0]!.maxSumDifference, 0);
    assert.ok(slice[0]!.exact);

    const codebook = await parseCodebookJson(
      await readFile(
        summary.codebook.startsWith('/') ? summary.codebook : join(process.cwd(), summary.codebook),
        'utf8',
      ),
    );
    assert.equal(codebook.labels.length, K);
    assert.equal(codebook.model.dims, DIMS);
    assert.equal(codebook.classifier.kind, 'linear');
    const markdown = await readFile(join(dir, 'federated.md'), 'utf8');
    assert.match(markdown, /\| 1 \| 15 \| 10 \| yes, exactly \| 0 \|/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
