// A device's local update: the steps follow the true gradient, the result is clipped to the task's
// norm, bad examples are refused, and rounds of averaged updates train a head that classifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  headFromClassifier,
  headLabel,
  headToClassifier,
  zeroHead,
  type LinearHead,
} from '../../../src/codebook/linear-head';
import { localUpdate, type LabelledExamples } from '../../../src/codebook/local-update';
import { applyMeanUpdate, startServer } from '../../../src/codebook/server-optimizer';
import { l2Normalize } from '../../../src/privacy/vector/prepare';

function loss(head: LinearHead, examples: LabelledExamples): number {
  let total = 0;
  examples.vectors.forEach((v, s) => {
    const x = l2Normalize(v);
    const scores = Array.from({ length: head.k }, (_, c) => {
      let a = head.params[head.k * head.dims + c]!;
      for (let j = 0; j < head.dims; j++) a += head.params[c * head.dims + j]! * x[j]!;
      return a;
    });
    const max = Math.max(...scores);
    const log = max + Math.log(scores.reduce((t, a) => t + Math.exp(a - max), 0));
    total += log - scores[examples.labels[s]!]!;
  });
  return total / examples.vectors.length;
}

const examples: LabelledExamples = {
  vectors: [
    [1, 0.2, 0],
    [0.1, 1, 0.3],
    [0, 0.2, 1],
    [0.9, 0.1, 0.1],
  ],
  labels: [0, 1, 2, 0],
};

test('one small step moves the head down the loss by the gradient, to first order', () => {
  const head = zeroHead(3, 3);
  head.params.forEach((_, i) => (head.params[i] = Math.sin(i + 1) * 0.3));
  const rate = 1e-4;
  const { update } = localUpdate(head, examples, { steps: 1, learningRate: rate }, 100);
  // update = −rate·∇L, so L(head + update) − L(head) ≈ −‖update‖²/rate.
  const moved = { ...head, params: head.params.map((p, i) => p + update[i]!) };
  const predicted = -update.reduce((t, u) => t + u * u, 0) / rate;
  const actual = loss(moved, examples) - loss(head, examples);
  assert.ok(Math.abs(actual - predicted) < 1e-3 * Math.abs(predicted), `${actual} vs ${predicted}`);
  // And a finite difference along one coordinate agrees with that coordinate of the gradient.
  const i = 4;
  const h = 1e-6;
  const plus = { ...head, params: Float64Array.from(head.params) };
  plus.params[i]! += h;
  const minus = { ...head, params: Float64Array.from(head.params) };
  minus.params[i]! -= h;
  const numeric = (loss(plus, examples) - loss(minus, examples)) / (2 * h);
  assert.ok(Math.abs(-update[i]! / rate - numeric) < 1e-6, `${-update[i]! / rate} vs ${numeric}`);
});

test('the whole update is clipped to the task norm, and the head given is left unchanged', () => {
  const head = zeroHead(3, 3);
  const { update, norm } = localUpdate(head, examples, { steps: 5, learningRate: 2 }, 0.25);
  assert.ok(norm > 0.25, `${norm}`);
  const clipped = Math.sqrt(update.reduce((t, u) => t + u * u, 0));
  assert.ok(Math.abs(clipped - 0.25) < 1e-12, `${clipped}`);
  assert.ok(head.params.every((p) => p === 0));
});

test('examples the head cannot read are refused', () => {
  const head = zeroHead(3, 3);
  const steps = { steps: 1, learningRate: 1 };
  assert.throws(() => localUpdate(head, { vectors: [[1, 0, 0]], labels: [3] }, steps, 1), /outside \[0, 3\)/);
  assert.throws(() => localUpdate(head, { vectors: [[1, 0]], labels: [0] }, steps, 1), /reads 3/);
  assert.throws(() => localUpdate(head, { vectors: [], labels: [] }, steps, 1), /at least one/);
  assert.throws(() => localUpdate(head, examples, { steps: 0, learningRate: 1 }, 1), /steps/);
});

test('rounds of averaged clipped updates train a head that labels held-out vectors', () => {
  // Three directions in 8 dimensions, a little spread; each device holds 2 examples of 1 or 2 labels.
  const dims = 8;
  const centre = (c: number) => Array.from({ length: dims }, (_, j) => (j === c ? 1 : 0));
  const point = (c: number, t: number) => centre(c).map((x, j) => x + 0.3 * Math.sin(7 * t + 3 * j + c));
  const devices: LabelledExamples[] = Array.from({ length: 60 }, (_, d) => ({
    vectors: [point(d % 3, d), point((d + (d % 2)) % 3, d + 0.5)],
    labels: [d % 3, (d + (d % 2)) % 3],
  }));
  let server = startServer(zeroHead(3, dims));
  for (let round = 0; round < 15; round++) {
    const mean = new Float64Array(server.head.params.length);
    for (const device of devices) {
      const { update } = localUpdate(server.head, device, { steps: 3, learningRate: 1 }, 1);
      update.forEach((u, i) => (mean[i]! += u / devices.length));
    }
    server = applyMeanUpdate(server, mean, { learningRate: 1, momentum: 0.5 });
  }
  assert.equal(server.version, 15);
  let right = 0;
  for (let t = 0; t < 90; t++) if (headLabel(server.head, l2Normalize(point(t % 3, t + 100))) === t % 3) right++;
  assert.ok(right >= 85, `${right}/90`);
  // The head round-trips through the codebook's classifier form.
  const back = headFromClassifier(headToClassifier(server.head));
  back.params.forEach((p, i) => assert.ok(Math.abs(p - server.head.params[i]!) <= 1e-6 * Math.max(1, Math.abs(p))));
});

test('the Adam server step scales each coordinate by its own spread, and checks its parameters', () => {
  const head = zeroHead(2, 1);
  const adam = { kind: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-9 } as const;
  // One coordinate moves 1000× more than another: after one step both move by the learning rate.
  const state = applyMeanUpdate(startServer(head), [1, 0.001, -1, 0], adam);
  const expected = (0.1 * 0.1) / Math.sqrt(0.01);
  assert.ok(Math.abs(state.head.params[0]! - expected) < 1e-6, `${state.head.params[0]}`);
  assert.ok(Math.abs(state.head.params[1]! - expected) < 1e-6, `${state.head.params[1]}`);
  assert.ok(Math.abs(state.head.params[2]! + expected) < 1e-6);
  assert.equal(state.head.params[3], 0);
  assert.throws(() => applyMeanUpdate(startServer(head), [0, 0, 0, 0], { ...adam, beta2: 1 }), /beta2/);
  assert.throws(() => applyMeanUpdate(startServer(head), [0, 0, 0], adam), /3 values/);
  // Momentum accumulates: two equal steps move 1 + (1 + 0.5).
  const m = { learningRate: 1, momentum: 0.5 };
  const twice = applyMeanUpdate(applyMeanUpdate(startServer(head), [1, 0, 0, 0], m), [1, 0, 0, 0], m);
  assert.equal(twice.head.params[0], 2.5);
});
