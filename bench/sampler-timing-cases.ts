// The releases the timing bench measures, each with the secret its time could leak.
import { RandomDraws } from '../src/privacy/random/draws';
import { cryptoRandomSource, type RandomSource } from '../src/privacy/random/random-source';
import { exactBernoulli, exactProbability } from '../src/privacy/random/exact-bernoulli';
import { fixedWordBernoulli } from '../src/privacy/random/fixed-bernoulli';
import { discreteLaplaceSampler } from '../src/privacy/mechanisms/discrete-laplace';
import {
  calibrateDiscreteGaussian,
  discreteGaussianSampler,
  TRIALS,
} from '../src/privacy/mechanisms/discrete-gaussian';
import { calibrateLaplace, laplaceNoise, type LaplaceParams } from '../src/privacy/mechanisms/laplace';
import { prepareVector, privatizeCategory, privatizeVector } from '../src/privacy/mechanism';

export interface TimingCase {
  readonly mechanism: string;
  readonly secretName: string;
  /** Secret values are 0/1 (else they are split at their median). */
  readonly binary?: boolean;
  /** Untimed set-up of release i (input class, random words). */
  prepare?(i: number): void;
  /** The timed release. */
  run(): unknown;
  /** The secret of the release just run, from its output (and, where needed, a replay of its draws). */
  secret(out: unknown): number;
}

const DIMS = 16;

/** Serves a pool of words drawn before the timed call, so the call can be replayed untimed. */
class PoolSource implements RandomSource {
  private offset = 0;
  constructor(readonly pool: Uint32Array) {}
  /** Words served since the last refill or rewind. */
  get used(): number {
    return this.offset;
  }
  refill(): void {
    cryptoRandomSource.fillUint32(this.pool);
    this.offset = 0;
  }
  rewind(): void {
    this.offset = 0;
  }
  fillUint32(target: Uint32Array): void {
    if (this.offset + target.length > this.pool.length) throw new RangeError('timing bench: word pool too small');
    target.set(this.pool.subarray(this.offset, this.offset + target.length));
    this.offset += target.length;
  }
}

function discreteLaplaceCase(label: string, t: number, maxMagnitude: number): TimingCase {
  const draws = new RandomDraws(cryptoRandomSource);
  const sample = discreteLaplaceSampler(t, maxMagnitude);
  const out = new Float64Array(1);
  return {
    mechanism: `discrete Laplace, ${label}`,
    secretName: '|noise| above its median',
    run: () => sample.into(draws, out, 0),
    secret: () => Math.abs(out[0]!),
  };
}

function bigNoiseCase(t: number, maxMagnitude: number): TimingCase {
  const draws = new RandomDraws(cryptoRandomSource);
  const sample = discreteLaplaceSampler(t, maxMagnitude);
  const out = new Float64Array(1);
  return {
    mechanism: `discrete Laplace, t = ${t.toExponential(1)}`,
    secretName: '|noise| ≥ 2^31',
    binary: true,
    run: () => sample.into(draws, out, 0),
    secret: () => Number(Math.abs(out[0]!) >= 2 ** 31),
  };
}

function discreteGaussianCase(label: string, sigma: number): TimingCase {
  const draws = new RandomDraws(cryptoRandomSource);
  const sample = discreteGaussianSampler(sigma);
  const out = new Float64Array(1);
  return {
    mechanism: `discrete Gaussian, ${label}`,
    secretName: '|noise| above its median',
    run: () => sample.into(draws, out, 0),
    secret: () => Math.abs(out[0]!),
  };
}

/**
 * Which of the TRIALS proposals was accepted: the sampler is run on a pool of words, and the same
 * words are replayed through CKS's proposal and acceptance test to find the first accepted trial.
 */
function gaussianTrialCase(label: string, sigma: number): TimingCase {
  const sample = discreteGaussianSampler(sigma);
  const proposal = discreteLaplaceSampler(sigma, Math.ceil(41 * sigma));
  const out = new Float64Array(1);
  const counter = new PoolSource(new Uint32Array(1 << 16));
  counter.refill();
  sample(new RandomDraws(counter));
  const words = counter.used;
  const source = new PoolSource(new Uint32Array(words));
  const replay = (): { value: number; trial: number } => {
    source.rewind();
    const draws = new RandomDraws(source);
    let value = 0;
    let trial = -1;
    for (let i = 0; i < TRIALS; i++) {
      const y = proposal(draws);
      const gap = Math.abs(y) - sigma;
      const accept = fixedWordBernoulli(Math.exp(Math.max(-200, -(gap * gap) / (2 * sigma * sigma))), draws);
      if (accept && trial < 0) {
        trial = i;
        value = y;
      }
    }
    return { value, trial };
  };
  return {
    mechanism: `discrete Gaussian, ${label}`,
    secretName: 'accepted at the first trial',
    binary: true,
    prepare: () => source.refill(),
    run: () => {
      source.rewind();
      sample.into(new RandomDraws(source), out, 0);
    },
    secret: () => {
      const r = replay();
      if (r.trial >= 0 && r.value !== out[0]) throw new Error('timing bench: replay does not match the sampler');
      return Number(r.trial === 0);
    },
  };
}

function vectorCase(name: 'laplace' | 'gaussian'): TimingCase {
  const params = name === 'laplace' ? { name, epsilon: 1 } : { name, epsilon: 1, delta: 1e-6 };
  const draws = new RandomDraws(cryptoRandomSource);
  const x = prepareVector(
    Float64Array.from({ length: DIMS }, () => draws.normal()),
    params,
  );
  return {
    mechanism: `${name} mechanism, ε = 1, d = ${DIMS}`,
    secretName: 'Σ|noise| above its median',
    run: () => privatizeVector(x, params, cryptoRandomSource).vector,
    secret: (out) => {
      const v = out as Float64Array;
      let s = 0;
      for (let i = 0; i < DIMS; i++) s += Math.abs(v[i]! - x[i]!);
      return s;
    },
  };
}

/** The public clamp moved in to |y| ≤ 1 + t so that it is hit often, to time the clamp itself. */
function clampCase(): TimingCase {
  const base = calibrateLaplace(1, 1);
  const params: LaplaceParams = { ...base, bound: Math.ceil(base.clip / base.step) + Math.ceil(base.t) };
  const draws = new RandomDraws(cryptoRandomSource);
  const x = Float64Array.of(base.clip);
  return {
    mechanism: 'laplace mechanism, clamp at x + t, d = 1',
    secretName: 'clamp hit',
    binary: true,
    run: () => laplaceNoise(x, params, draws),
    secret: (out) => Number(Math.abs((out as Float64Array)[0]!) >= params.bound * params.step),
  };
}

function krrCase(epsilon: number, k: number): TimingCase {
  let value = 0;
  return {
    mechanism: `k-RR, ε = ${epsilon}, k = ${k}`,
    secretName: 'kept the true category',
    binary: true,
    prepare: (i) => {
      value = i % 2 === 0 ? 0 : k - 1;
    },
    run: () => privatizeCategory(value, { name: 'krr', epsilon, k }, cryptoRandomSource),
    secret: (out) =>
      Number(((out as ReturnType<typeof privatizeCategory>).category as { value: number }).value === value),
  };
}

function krrInputCase(epsilon: number, k: number): TimingCase {
  let value = 0;
  return {
    mechanism: `k-RR, ε = ${epsilon}, k = ${k}`,
    secretName: 'true category first or last',
    binary: true,
    prepare: (i) => {
      value = i % 2 === 0 ? 0 : k - 1;
    },
    run: () => privatizeCategory(value, { name: 'krr', epsilon, k }, cryptoRandomSource),
    secret: () => Number(value === 0),
  };
}

function oueCase(epsilon: number, k: number): TimingCase {
  let value = 0;
  return {
    mechanism: `OUE, ε = ${epsilon}, k = ${k}`,
    secretName: 'bit flips above their median',
    prepare: (i) => {
      value = i % k;
    },
    run: () => privatizeCategory(value, { name: 'oue', epsilon, k }, cryptoRandomSource),
    secret: (out) => {
      const bits = ((out as ReturnType<typeof privatizeCategory>).category as { bits: readonly number[] }).bits;
      let flips = 0;
      for (let i = 0; i < k; i++) flips += Number(bits[i] !== (i === value ? 1 : 0));
      return flips;
    },
  };
}

function bernoulliCases(): TimingCase[] {
  const draws = new RandomDraws(cryptoRandomSource);
  const exact = exactProbability(0.3);
  return [
    {
      mechanism: 'Bernoulli (53-bit), p = 0.3',
      secretName: 'outcome',
      binary: true,
      run: () => draws.bernoulli(0.3),
      secret: (b) => Number(b),
    },
    {
      mechanism: 'Bernoulli (exact), p = 0.3',
      secretName: 'outcome',
      binary: true,
      run: () => exactBernoulli(exact, draws),
      secret: (b) => Number(b),
    },
    {
      mechanism: 'Bernoulli (fixed words), p = 0.3',
      secretName: 'outcome',
      binary: true,
      run: () => fixedWordBernoulli(0.3, draws),
      secret: (b) => Number(b),
    },
  ];
}

export function timingCases(): TimingCase[] {
  const laplace = calibrateLaplace(1, 64);
  const laplaceMax = laplace.bound + Math.ceil(laplace.clip / laplace.step);
  const wide = calibrateLaplace(0.01, 4096);
  const gaussian = calibrateDiscreteGaussian(1, 1e-6, 64);
  return [
    discreteLaplaceCase(`t = ${laplace.t.toFixed(0)} (ε = 1, d = 64)`, laplace.t, laplaceMax),
    discreteLaplaceCase('t = 4', 4, 4 * 65),
    discreteLaplaceCase('t = 1', 1, 65),
    discreteLaplaceCase('t = 0.5', 0.5, 33),
    bigNoiseCase(wide.t, wide.bound + Math.ceil(wide.clip / wide.step)),
    discreteGaussianCase(`σ = ${gaussian.sigmaUnits.toFixed(0)} (ε = 1, d = 64)`, gaussian.sigmaUnits),
    discreteGaussianCase('σ = 1', 1),
    gaussianTrialCase(`σ = ${gaussian.sigmaUnits.toFixed(0)}`, gaussian.sigmaUnits),
    gaussianTrialCase('σ = 1', 1),
    vectorCase('laplace'),
    clampCase(),
    vectorCase('gaussian'),
    krrCase(1, 16),
    krrCase(4, 4),
    krrInputCase(1, 16),
    oueCase(1, 64),
    ...bernoulliCases(),
  ];
}
