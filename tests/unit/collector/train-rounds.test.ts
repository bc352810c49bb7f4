// Federated training's rounds over real HTTP: a collector declaring a training task, a leader and a
// helper on loopback, devices drawing their shares with the release worker's own function, and the
// coordinator (obscura train) opening, releasing and expiring rounds. The released version is checked
// against the same rounds recomputed from the devices' seeded draws: the whole path is exact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { startCollector, type TestCollector } from '../../support/collector';
import { startPair, upload, type Pair } from '../aggregate/support';
import { seededSource } from '../privacy/seeded-source';
import { parseCodebook } from '../../../src/codebook/load-codebook';
import { headFromClassifier, headToClassifier, type LinearClassifier } from '../../../src/codebook/linear-head';
import { localUpdate } from '../../../src/codebook/local-update';
import { serverRound } from '../../../src/codebook/server-optimizer';
import { labelledExamples, type TrainExample } from '../../../src/codebook/train-examples';
import { roundIdPrefix, roundSchema, trainStatusSchema, versionSchema } from '../../../src/codebook/train-rounds';
import { parseTrainTask, trainPlan, trainVdafTask, type TrainTask } from '../../../src/codebook/train-task';
import { estimateFromSum } from '../../../src/privacy/aggregate/estimate';
import { noisyQuantisedVector } from '../../../src/privacy/aggregate/noisy-vector';
import { drawTrainShare } from '../../../src/release/train-release';
import { coordinateStep, trainPrivacy, type CoordinatorOptions } from '../../../src/cli/train-coordinator';
import { composedCentral } from '../../../src/privacy/aggregate/plan';
import { main } from '../../../src/cli/main';
import type { AggregateReport } from '../../../src/secure-aggregation/shard';
import type { AggregateSubmission } from '../../../src/ledger/ledger-schema';

const MODEL = { id: 'test-model', layer: 'pool', dims: 8 } as const;
const LABELS = ['intact', 'dented', 'torn'];
const COLLECTOR_TOKEN = 'coordinator-token';

let pair: Pair;
let collector: TestCollector;
let task: TrainTask;
let now = Date.parse('2026-12-01T10:00:00Z');
let options: CoordinatorOptions;

before(async () => {
  const declared = {
    kind: 'train' as const,
    scope: 'parcels',
    codebook: 'parcels',
    labels: LABELS,
    model: MODEL,
    clip: 1,
    rounds: 2,
    roundSeconds: 600,
    noise: { epsilon: 2, delta: 1e-8 },
    nMin: 3,
    aggregators: { leader: 'http://127.0.0.1:1', helper: 'http://127.0.0.2:1' },
    local: { steps: 3, learningRate: 0.1 },
    // Devices and coordinator step in standardised coordinates, as the evaluation's schedule does.
    standardise: {
      mean: [0.3, 0.3, 0.3, 0.05, 0.05, 0.05, 0.05, 0.05],
      sd: [0.4, 0.4, 0.4, 0.05, 0.05, 0.05, 0.05, 0.05],
    },
    server: { kind: 'adam' as const, learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.1 },
  };
  pair = await startPair(trainVdafTask(parseTrainTask(declared, 'test')));
  const withPair = { ...declared, aggregators: { leader: pair.leaderUrl, helper: pair.helperUrl } };
  task = parseTrainTask(withPair, 'test');
  collector = await startCollector({ tasks: [withPair], trainToken: COLLECTOR_TOKEN, clock: () => new Date(now) });
  options = {
    collector: collector.url,
    task: 'parcels',
    collectorToken: COLLECTOR_TOKEN,
    analystToken: pair.analystToken,
  };
});
after(async () => {
  await collector?.close();
  await pair?.close();
});

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

/** A device's examples: features of the task's model, each pointing mostly along its label's axis. */
function examplesOf(device: number): TrainExample[] {
  return [0, 1, 2, 3].map((i) => {
    const label = (device + i) % LABELS.length;
    const features = Array.from({ length: MODEL.dims }, (_, j) => (j === label ? 3 : 0.1 * ((i + j + device) % 3)));
    return { features, model: MODEL, label: LABELS[label]! };
  });
}

function asReport(s: AggregateSubmission): AggregateReport {
  return {
    reportId: s.id,
    leaderShare: s.leader.body.inputShare,
    helperShare: s.helper.body.inputShare,
    publicShare: s.leader.body.publicShare,
    accounting: { central: { epsilon: 0, delta: 0 }, local: { epsilon: 0, delta: 0 } },
  };
}

async function currentRoundAndHead() {
  const status = trainStatusSchema.parse((await json(`${collector.url}/train/parcels`)).body);
  const version = versionSchema.parse((await json(`${collector.url}/train/parcels/versions/latest`)).body);
  return { round: status.round!, head: await parseCodebook(version.codebook), version };
}

test('the task is served beside the release tasks; writes need the coordinator token', async () => {
  const all = (await json(`${collector.url}/tasks`)).body as { tasks: unknown[]; train: unknown[] };
  assert.deepEqual(all.tasks, []);
  assert.deepEqual(all.train, [JSON.parse(JSON.stringify(task))]);
  const one = (await json(`${collector.url}/tasks/parcels`)).body as { task: unknown };
  assert.deepEqual(parseTrainTask(one.task, 'served'), task);
  const refused = await json(`${collector.url}/train/parcels/rounds`, { method: 'POST' });
  assert.equal(refused.status, 401);
  const v0 = versionSchema.parse((await json(`${collector.url}/train/parcels/versions/0`)).body);
  const codebook = await parseCodebook(v0.codebook);
  assert.equal(codebook.id, 'parcels.v0');
  assert.deepEqual(codebook.labels, LABELS);
  assert.ok(codebook.classifier.kind === 'linear' && codebook.classifier.bias.every((b) => b === 0));
  assert.equal((await json(`${collector.url}/train/nothing`)).status, 404);
});

test('a round of n_min devices is released: the published version is the server step on their exact sum', async () => {
  const opened = await coordinateStep(options);
  assert.equal(opened.action, 'opened');
  assert.equal(opened.round, 1);
  assert.equal(opened.headVersion, 0);
  const waiting = await coordinateStep(options);
  assert.deepEqual([waiting.action, waiting.devices], ['waiting', 0]);

  const { round, head } = await currentRoundAndHead();
  assert.equal(round.state, 'open');
  const expectedValues: Int32Array[] = [];
  for (let device = 0; device < 3; device++) {
    const drawn = await drawTrainShare(
      collector.url,
      task,
      round,
      head,
      examplesOf(device),
      seededSource(100 + device),
    );
    assert.ok(drawn.submission.id.startsWith(roundIdPrefix(1)));
    assert.deepEqual(drawn.participation, {
      collector: collector.url,
      task: 'parcels',
      round: 1,
      codebookVersion: 0,
      codebook: 'parcels.v0',
      codebookHash: head.hash,
      examples: 4,
    });
    assert.deepEqual(drawn.central, trainPlan(task).central);
    assert.deepEqual(await upload(pair, asReport(drawn.submission)), [201, 201]);
    // The same draws, recomputed: the clipped local update, then the noise, from the same seed.
    const linear = head.classifier as LinearClassifier;
    const { update } = localUpdate(
      headFromClassifier(linear),
      labelledExamples(task, examplesOf(device)),
      task.local,
      task.clip,
      task.standardise,
    );
    expectedValues.push(noisyQuantisedVector(update, trainPlan(task), seededSource(100 + device)));
  }

  const released = await coordinateStep(options);
  assert.equal(released.action, 'released');
  assert.equal(released.devices, 3);
  assert.equal(released.version, 1);
  assert.equal(released.codebook?.id, 'parcels.v1');
  assert.equal(released.privacy.released.rounds, 1);
  // One round composed once is the round's own guarantee.
  const { epsilon, delta } = released.privacy.released;
  assert.deepEqual({ epsilon, delta }, released.privacy.perRound);

  const plan = trainPlan(task);
  const sum = new Array<number>(plan.dims).fill(0);
  for (const v of expectedValues) v.forEach((x, i) => (sum[i]! += x));
  const { mean } = estimateFromSum(sum, 3, plan);
  const expected = serverRound(
    headFromClassifier(head.classifier as LinearClassifier),
    { velocity: [], second: [] },
    mean,
    task.server,
    task.standardise,
  );
  const v1 = versionSchema.parse((await json(`${collector.url}/train/parcels/versions/1`)).body);
  const published = await parseCodebook(v1.codebook);
  assert.deepEqual(published.classifier, headToClassifier(expected.head));
  assert.deepEqual(v1.optimizer.velocity, Array.from(expected.velocity));
  assert.equal(v1.round, 1);
  const r1 = roundSchema.parse((await json(`${collector.url}/train/parcels/rounds/1`)).body);
  assert.deepEqual([r1.state, r1.count, r1.version, r1.batchId], ['released', 3, 1, released.batchId]);

  // A device late for round 1 reads it closed, and draws nothing.
  await assert.rejects(drawTrainShare(collector.url, task, r1, head, examplesOf(0)), { name: 'RoundNotOpenError' });
});

test('a round that never reaches n_min expires, releases nothing, and its shares are never summed', async () => {
  const opened = await coordinateStep(options);
  assert.deepEqual([opened.action, opened.round, opened.headVersion], ['opened', 2, 1]);
  const { round, head } = await currentRoundAndHead();
  assert.equal(head.id, 'parcels.v1');
  for (let device = 0; device < 2; device++) {
    const drawn = await drawTrainShare(collector.url, task, round, head, examplesOf(device));
    assert.deepEqual(await upload(pair, asReport(drawn.submission)), [201, 201]);
  }
  const early = await coordinateStep(options);
  assert.deepEqual([early.action, early.devices], ['waiting', 2]);
  // The collector refuses to expire a round before its time.
  const tooSoon = await json(`${collector.url}/train/parcels/rounds/2/close`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${COLLECTOR_TOKEN}` },
    body: JSON.stringify({ outcome: 'expired', count: 2, reason: 'test' }),
  });
  assert.equal(tooSoon.status, 400);

  now += 601_000;
  const expired = await coordinateStep(options);
  assert.deepEqual([expired.action, expired.state, expired.devices, expired.version], ['expired', 'expired', 2, 1]);
  assert.equal(expired.privacy.released.rounds, 1);
  const status = (
    await json(`${pair.leaderUrl}/rounds/${roundIdPrefix(2)}/status`, {
      headers: { Authorization: `Bearer ${pair.analystToken}` },
    })
  ).body as { reports: { valid: number; batched: number } };
  assert.deepEqual([status.reports.valid, status.reports.batched], [2, 0]);
  const latest = versionSchema.parse((await json(`${collector.url}/train/parcels/versions/latest`)).body);
  assert.equal(latest.version, 1);

  // Every scheduled round has run.
  const finished = await coordinateStep(options);
  assert.equal(finished.action, 'finished');
  assert.equal(finished.privacy.scheduled.rounds, 2);
  assert.ok(finished.privacy.scheduled.epsilon > finished.privacy.perRound.epsilon);
});

test('obscura train prints one JSON line a step, and its help names the fields', async () => {
  const run = async (args: string[]) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d) => (out += d));
    stderr.on('data', (d) => (err += d));
    const status = await main(args, { stdin: new PassThrough(), stdout, stderr });
    return { status, out, err };
  };
  const help = await run(['train', '--help']);
  assert.equal(help.status, 0);
  for (const field of ['action', 'headVersion', 'devices', 'nMin', 'closesAt', 'privacy', 'assumptions'])
    assert.match(help.out, new RegExp(field));
  const step = await run([
    'train',
    '--collector',
    collector.url,
    '--task',
    'parcels',
    '--collector-token',
    COLLECTOR_TOKEN,
    '--analyst-token',
    pair.analystToken,
  ]);
  assert.equal(step.status, 0, step.err);
  const line = JSON.parse(step.out) as { action: string; task: string; version: number };
  assert.deepEqual([line.task, line.action, line.version], ['parcels', 'finished', 1]);
  const missing = await run(['train', '--collector', collector.url]);
  assert.equal(missing.status, 2);
  assert.match(missing.err, /--task ID is required/);
});

test('examples outside the task are refused on the device, with typed errors', async () => {
  const { round, head } = await currentRoundAndHead();
  const open = { ...round, state: 'open' as const, headVersion: 1 };
  const wrongLabel: TrainExample = { features: new Array(8).fill(1), model: MODEL, label: 'lost' };
  await assert.rejects(
    drawTrainShare(collector.url, task, open, head, [wrongLabel]),
    (err: Error & { details?: { labels?: string[] } }) => {
      assert.equal(err.name, 'UnknownLabelError');
      assert.deepEqual(err.details?.labels, LABELS);
      return true;
    },
  );
  const otherLayer: TrainExample = {
    features: new Array(8).fill(1),
    model: { ...MODEL, layer: 'other' },
    label: 'torn',
  };
  await assert.rejects(drawTrainShare(collector.url, task, open, head, [otherLayer]), {
    name: 'CodebookMismatchError',
  });
  const otherDims: TrainExample = { features: new Array(9).fill(1), model: { ...MODEL, dims: 9 }, label: 'torn' };
  await assert.rejects(drawTrainShare(collector.url, task, open, head, [otherDims]), { name: 'CodebookMismatchError' });
  await assert.rejects(drawTrainShare(collector.url, task, open, head, []), { name: 'InvalidParameterError' });
  const staleHead = { ...open, headVersion: 0 };
  await assert.rejects(drawTrainShare(collector.url, task, staleHead, head, examplesOf(0)), {
    name: 'CodebookMismatchError',
  });
});

test('a training task that cannot run is refused, naming the field', () => {
  const base = {
    kind: 'train',
    scope: 't',
    codebook: 't',
    labels: ['a', 'b'],
    model: MODEL,
    clip: 1,
    rounds: 1,
    roundSeconds: 60,
    noise: { epsilon: 1, delta: 1e-9 },
    nMin: 2,
    aggregators: { leader: 'https://leader.example', helper: 'https://helper.example/' },
  };
  assert.equal(parseTrainTask(base, 'x').aggregators.helper, 'https://helper.example');
  const refused = (change: Record<string, unknown>, field: string) =>
    assert.throws(
      () => parseTrainTask({ ...base, ...change }, 'tasks.json'),
      (err: Error & { details?: { field?: string } }) => {
        assert.equal(err.name, 'InvalidTaskError');
        assert.equal(err.details?.field, field);
        return true;
      },
    );
  refused({ labels: ['a', 'a'] }, 'labels');
  refused({ aggregators: { leader: 'https://x.example/a', helper: 'https://x.example/b' } }, 'aggregators.helper');
  refused({ noise: { epsilon: 1, delta: 1e-3 } }, 'noise.delta');
  refused({ nMin: 1 }, 'nMin');
  refused({ extra: 1 }, 'extra');
  refused({ aggregators: { leader: 'https://u:p@x.example', helper: 'https://y.example' } }, 'aggregators.leader');
  const stats = { mean: new Array(MODEL.dims).fill(0), sd: new Array(MODEL.dims).fill(1) };
  refused({ standardise: { ...stats, mean: [0] } }, 'standardise.mean');
  refused({ standardise: { ...stats, sd: [...stats.sd.slice(1), 0] } }, `standardise.sd.${MODEL.dims - 1}`);
  refused({ participations: 2 }, 'participations');
});

test('the coordinator composes the user-level guarantee over the participations a device may make', () => {
  const declared = JSON.parse(JSON.stringify(task)) as Record<string, unknown>;
  const capped = parseTrainTask({ ...declared, rounds: 40, participations: 4 }, 'test');
  const plan = trainPlan(capped);
  const privacy = trainPrivacy(capped, 10);
  assert.equal(privacy.scheduled.rounds, 4);
  assert.equal(privacy.released.rounds, 4);
  assert.deepEqual({ ...privacy.scheduled }, { ...composedCentral(plan, 4), rounds: 4 });
  assert.deepEqual({ ...trainPrivacy(capped, 3).released }, { ...composedCentral(plan, 3), rounds: 3 });
  // Without the cap every round counts.
  assert.equal(trainPrivacy(parseTrainTask({ ...declared, rounds: 40 }, 'test'), 10).scheduled.rounds, 40);
});
