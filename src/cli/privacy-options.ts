import { ObscuraError } from '../errors';
import { validateParams, VECTOR_MECHANISMS, type VectorMechanismParams } from '../privacy/mechanism';
import type { FeaturePrivacyOptions } from '../report/privatize-features';
import { integerFlag, numberFlag } from '../number-flag';

/** The flags `privatize` and `extract` share, for node:util parseArgs. */
export const PRIVACY_FLAGS = {
  mechanism: { type: 'string' },
  epsilon: { type: 'string' },
  delta: { type: 'string' },
  dims: { type: 'string' },
  clip: { type: 'string' },
  scope: { type: 'string' },
} as const;

export interface PrivacyFlagValues {
  mechanism?: string | undefined;
  epsilon?: string | undefined;
  delta?: string | undefined;
  dims?: string | undefined;
  clip?: string | undefined;
  scope?: string | undefined;
}

function number(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : numberFlag(flag, text);
}

/** True when any privacy flag was given. */
export function hasPrivacyFlags(values: PrivacyFlagValues): boolean {
  return (
    values.mechanism !== undefined ||
    values.epsilon !== undefined ||
    values.delta !== undefined ||
    values.dims !== undefined
  );
}

/**
 * Flags to mechanism parameters; every missing or bad value is a typed error, never a silent default
 * (except privunit as the mechanism).
 */
export function parsePrivacyFlags(values: PrivacyFlagValues): FeaturePrivacyOptions {
  const name = values.mechanism ?? 'privunit';
  if (!(VECTOR_MECHANISMS as readonly string[]).includes(name)) {
    throw new ObscuraError(
      'InvalidParameterError',
      `--mechanism must be one of ${VECTOR_MECHANISMS.join(', ')}, got "${name}"`,
    );
  }
  const epsilon = number('epsilon', values.epsilon);
  if (epsilon === undefined) throw new ObscuraError('InvalidParameterError', '--epsilon is required');
  const delta = number('delta', values.delta);
  const clip = number('clip', values.clip);
  if (name === 'gaussian' && delta === undefined)
    throw new ObscuraError('InvalidParameterError', '--delta is required for the gaussian mechanism');
  if (name !== 'gaussian' && delta !== undefined)
    throw new ObscuraError(
      'InvalidParameterError',
      `--delta applies to the gaussian mechanism only; ${name} is pure ε`,
    );
  if (name === 'privunit' && clip !== undefined)
    throw new ObscuraError('InvalidParameterError', '--clip does not apply to privunit (it releases unit vectors)');
  const mechanism = (
    name === 'gaussian'
      ? { name, epsilon, delta, ...(clip !== undefined ? { clip } : {}) }
      : name === 'laplace'
        ? { name, epsilon, ...(clip !== undefined ? { clip } : {}) }
        : { name, epsilon }
  ) as VectorMechanismParams;
  validateParams(mechanism);
  const dims = values.dims === undefined ? undefined : integerFlag('dims', values.dims, 2);
  return {
    mechanism,
    ...(dims !== undefined ? { dims } : {}),
    ...(values.scope !== undefined ? { scope: values.scope } : {}),
  };
}
