// PrivUnit's running time must not reveal its randomized-response bit (the cap bit):
// each privatizeVector call is timed at ε = 2 and ε = 8 (d = 96), the bit is read off
// the output (cap iff ⟨r/|r|, u⟩ ≥ γ), and the best threshold on the time, in either
// direction, may reach a balanced accuracy of at most 0.56.
//
// Why 0.56 is a safe bound for a constant-work sampler: with n₁ cap and n₀ other releases,
// the best threshold's balanced accuracy is (1 + D)/2 with D the two-sample KS distance,
// and P(D > c) ≤ 2e^(−2c²·n₀n₁/(n₀+n₁)) whatever the time distribution. At ε = 8, d = 96
// about 10% of releases fall outside the cap, so with 20 000 releases n₀n₁/(n₀+n₁) ≈ 1 750
// and c = 0.12 gives a false failure below 2e^(−50): scheduling noise on a shared machine
// adds variance, not bias between the two classes, since the calls are interleaved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibratePrivUnit } from '../../../src/privacy/mechanisms/privunit';
import { prepareVector, privatizeVector } from '../../../src/privacy/mechanism';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { bestBalancedAccuracy } from './balanced-accuracy';

const DIMS = 96;
const RELEASES = 20_000;

test('balanced accuracy of the best threshold is exact on separable and on identical times', () => {
  assert.equal(bestBalancedAccuracy(Float64Array.from([1, 2, 3, 4]), Uint8Array.from([0, 0, 1, 1])), 1);
  assert.equal(bestBalancedAccuracy(Float64Array.from([4, 3, 2, 1]), Uint8Array.from([0, 0, 1, 1])), 1);
  assert.equal(bestBalancedAccuracy(Float64Array.from([5, 5, 5, 5]), Uint8Array.from([0, 1, 0, 1])), 0.5);
});

test('PrivUnit running time does not reveal the cap bit (ε = 2 and 8, d = 96, 20 000 releases each)', () => {
  const draws = new RandomDraws(cryptoRandomSource);
  const u = prepareVector(
    Float64Array.from({ length: DIMS }, () => draws.normal()),
    { name: 'privunit', epsilon: 1 },
  );
  const epsilons = [2, 8] as const;
  const gammas = epsilons.map((e) => calibratePrivUnit(e, DIMS).gamma);
  const times = epsilons.map(() => new Float64Array(RELEASES));
  const bits = epsilons.map(() => new Uint8Array(RELEASES));
  // Warm-up: calibration (memoized) and JIT compilation stay out of the measurement.
  for (let i = 0; i < 2000; i++)
    privatizeVector(u, { name: 'privunit', epsilon: epsilons[i % 2]! }, cryptoRandomSource);
  for (let i = 0; i < RELEASES; i++) {
    for (let e = 0; e < epsilons.length; e++) {
      const start = process.hrtime.bigint();
      const release = privatizeVector(u, { name: 'privunit', epsilon: epsilons[e]! }, cryptoRandomSource);
      const elapsed = process.hrtime.bigint() - start;
      let dot = 0;
      let norm = 0;
      for (let j = 0; j < DIMS; j++) {
        dot += release.vector[j]! * u[j]!;
        norm += release.vector[j]! * release.vector[j]!;
      }
      times[e]![i] = Number(elapsed);
      bits[e]![i] = dot / Math.sqrt(norm) >= gammas[e]! ? 1 : 0;
    }
  }
  for (let e = 0; e < epsilons.length; e++) {
    const capShare = bits[e]!.reduce((s, b) => s + b, 0) / RELEASES;
    const accuracy = bestBalancedAccuracy(times[e]!, bits[e]!);
    console.log(`ε = ${epsilons[e]}: cap share ${capShare.toFixed(3)}, best balanced accuracy ${accuracy.toFixed(4)}`);
    assert.ok(capShare > 0.05 && capShare < 0.95, 'both outcomes occur often enough to measure');
    assert.ok(accuracy <= 0.56, `ε = ${epsilons[e]}: timing reveals the cap bit (balanced accuracy ${accuracy})`);
  }
});
