import { parseArgs } from 'node:util';
import { ObscuraError } from '../../errors';
import { calibrateDiscreteGaussian, gaussianMu } from '../../privacy/mechanisms/discrete-gaussian';
import { calibrateLaplace } from '../../privacy/mechanisms/laplace';
import { calibratePrivUnit } from '../../privacy/mechanisms/privunit';
import { expectedMse, validateParams, type MechanismParams } from '../../privacy/mechanism';
import type { CliIo } from '../cli-io';
import { writeJsonLine } from '../cli-io';
import { numberFlag } from '../../number-flag';

const OPTIONS = {
  mechanism: { type: 'string' },
  epsilon: { type: 'string' },
  delta: { type: 'string' },
  sensitivity: { type: 'string' },
  dims: { type: 'string' },
  clip: { type: 'string' },
} as const;

function num(values: Record<string, string | undefined>, flag: string, required: boolean): number | undefined {
  const text = values[flag];
  if (text === undefined) {
    if (required)
      throw new ObscuraError('InvalidParameterError', `--${flag} is required for --mechanism ${values['mechanism']}`);
    return undefined;
  }
  return numberFlag(flag, text);
}

/**
 * `obscura calibrate --mechanism gaussian --epsilon E --delta D --dims D [--clip C]` → the discrete Gaussian
 * a release uses: {"sigma","step","rho","expectedMse"}; with `--sensitivity S` instead of `--dims`, the analytic
 * Gaussian's σ (same ρ = μ²/2) for an L2 sensitivity S: {"sigma","rho"};
 * `--mechanism privunit --epsilon E --dims D` → {"p","gamma","scale","expectedMse"};
 * `--mechanism laplace --epsilon E --dims D [--clip C]` → {"step","t","b","bound","expectedMse"}.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const epsilon = num(values, 'epsilon', true)!;
  const name = values.mechanism;
  if (name === 'gaussian' || name === 'privunit' || name === 'laplace') {
    // The same ranges as a release: ε in [0.01, 16], δ at most the device-wide target.
    const delta = name === 'gaussian' ? num(values, 'delta', true)! : undefined;
    validateParams({ name, epsilon, ...(delta !== undefined ? { delta } : {}) } as MechanismParams);
  }
  switch (name) {
    case 'gaussian': {
      const delta = num(values, 'delta', true)!;
      const dims = num(values, 'dims', false);
      if (dims === undefined) {
        const sensitivity = num(values, 'sensitivity', true)!;
        const mu = gaussianMu(epsilon, delta);
        writeJsonLine(io.stdout, { sigma: sensitivity / mu, rho: (mu * mu) / 2 });
        return 0;
      }
      const p = calibrateDiscreteGaussian(epsilon, delta, dims, num(values, 'clip', false) ?? 1);
      writeJsonLine(io.stdout, { sigma: p.sigma, step: p.step, rho: p.rho, expectedMse: p.expectedMse });
      return 0;
    }
    case 'privunit': {
      const dims = num(values, 'dims', true)!;
      const { p, gamma, scale, expectedMse: mse } = calibratePrivUnit(epsilon, dims);
      writeJsonLine(io.stdout, { p, gamma, scale, expectedMse: mse });
      return 0;
    }
    case 'laplace': {
      const dims = num(values, 'dims', true)!;
      const clip = num(values, 'clip', false) ?? 1;
      const { step, t, b, bound } = calibrateLaplace(epsilon, dims, clip);
      writeJsonLine(io.stdout, {
        step,
        t,
        b,
        bound,
        expectedMse: expectedMse({ name: 'laplace', epsilon, clip }, dims),
      });
      return 0;
    }
    default:
      throw new ObscuraError(
        'InvalidParameterError',
        `--mechanism must be one of gaussian, privunit, laplace, got "${values.mechanism ?? ''}"`,
      );
  }
}
