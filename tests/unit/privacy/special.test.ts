import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fixedBetaSteps,
  incompleteBeta,
  incompleteBetaFixedPair,
  logBeta,
  logGamma,
  normalCdf,
} from '../../../src/privacy/math/special';

const close = (a: number, b: number, rel: number, what: string) =>
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b}`);

test('log-gamma matches factorials and Γ(1/2) = √π', () => {
  let f = 0;
  for (let n = 1; n < 150; n++) {
    close(logGamma(n + 1), (f += Math.log(n)), 1e-13, `ln ${n}!`);
  }
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14, 'ln Γ(1/2)');
});

test('the incomplete beta function matches closed forms', () => {
  for (const x of [1e-9, 0.01, 0.3, 0.5, 0.77, 0.999]) {
    close(incompleteBeta(x, 1, 1), x, 1e-13, `I_${x}(1,1)`);
    close(incompleteBeta(x, 3, 1), x ** 3, 1e-12, `I_${x}(3,1)`);
    close(incompleteBeta(x, 1, 4), -Math.expm1(4 * Math.log1p(-x)), 1e-12, `I_${x}(1,4)`);
  }
  for (const a of [1, 7.5, 47.5, 639.5]) close(incompleteBeta(0.5, a, a), 0.5, 1e-12, `I_0.5(${a},${a})`);
  // Symmetry I_x(a,b) = 1 − I_{1−x}(b,a), including far tails.
  close(incompleteBeta(0.2, 7.5, 7.5) + incompleteBeta(0.8, 7.5, 7.5), 1, 1e-14, 'symmetry');
  // Far tail: (0.64)^639.5 / (639.5 B(639.5, 639.5)) ~ 1e-124, with relative precision, not rounded to 0.
  const tail = incompleteBeta(0.2, 639.5, 639.5);
  assert.ok(tail > 1e-126 && tail < 1e-122, String(tail));
  close(incompleteBeta(0.8, 639.5, 639.5), 1, 1e-15, 'upper end');
});

test('the normal CDF matches published values to full precision, deep into the tail', () => {
  close(normalCdf(0), 0.5, 1e-15, 'Φ(0)');
  close(normalCdf(-1), 0.15865525393145707, 1e-13, 'Φ(−1)');
  close(normalCdf(-1.959963984540054), 0.025, 1e-12, 'Φ(−1.96)');
  close(normalCdf(-5), 2.866515718791939e-7, 1e-11, 'Φ(−5)');
  close(normalCdf(-10), 7.619853024160527e-24, 1e-10, 'Φ(−10)');
  close(normalCdf(3), 0.9986501019683699, 1e-14, 'Φ(3)');
});

test('the fixed-length incomplete beta equals the converged one for every d up to 4 096, on both sides', () => {
  for (const dims of [2, 3, 8, 96, 512, 1280, 4096]) {
    const a = (dims - 1) / 2;
    const steps = fixedBetaSteps(a);
    // 1e-10 relative: the front factor's own rounding (ln B(a, a) near −2 800 at d = 4 096) is ~1e-11; a
    // continued fraction stopped short of convergence would be off by orders of magnitude more.
    const logB = logBeta(a, a);
    const out = new Float64Array(4);
    // Each call takes one point below the symmetry point and one above it, so both sides run interleaved.
    for (let i = 1; i < 400; i++) {
      const points = [i / 400, 1 - (i - 0.5) / 400];
      incompleteBetaFixedPair(points[0]!, points[1]!, a, a, steps, logB, out);
      for (const [k, x] of points.entries()) {
        const [lower, upper] = [out[2 * k]!, out[2 * k + 1]!];
        const exact = incompleteBeta(x, a, a);
        assert.ok(Math.abs(lower - exact) <= 1e-15 + 1e-10 * exact, `d=${dims} x=${x}: ${lower} vs ${exact}`);
        const exactUpper = incompleteBeta(1 - x, a, a);
        assert.ok(
          Math.abs(upper - exactUpper) <= 1e-15 + 1e-10 * exactUpper,
          `upper d=${dims} x=${x}: ${upper} vs ${exactUpper}`,
        );
      }
    }
  }
});
