import { ObscuraError } from '../errors';
import { CATEGORY_MECHANISMS, type CategoryMechanismName } from '../privacy/mechanism';
import { numberFlag } from '../number-flag';
import type { PrivacyFlagValues } from './privacy-options';

/** The flag that turns `extract`'s release into a category release. */
export const CATEGORY_FLAGS = {
  codebook: { type: 'string' },
} as const;

export interface CategoryFlags {
  readonly mechanism: CategoryMechanismName;
  readonly epsilon: number;
  readonly codebook: string;
  readonly scope?: string;
}

/** True when the flags ask for a category release (--mechanism krr|oue, or --codebook). */
export function isCategoryRelease(values: PrivacyFlagValues & { codebook?: string | undefined }): boolean {
  return values.codebook !== undefined || (CATEGORY_MECHANISMS as readonly string[]).includes(values.mechanism ?? '');
}

/** Flags of a category release; a missing or inapplicable flag is an InvalidParameterError. */
export function parseCategoryFlags(values: PrivacyFlagValues & { codebook?: string | undefined }): CategoryFlags {
  const mechanism = values.mechanism;
  if (mechanism === undefined || !(CATEGORY_MECHANISMS as readonly string[]).includes(mechanism))
    throw new ObscuraError(
      'InvalidParameterError',
      `--codebook releases a category: --mechanism must be ${CATEGORY_MECHANISMS.join(' or ')}, ` +
        `got "${mechanism ?? ''}"`,
    );
  if (values.codebook === undefined)
    throw new ObscuraError('InvalidParameterError', `--mechanism ${mechanism} needs --codebook FILE (the labels)`);
  for (const flag of ['delta', 'dims', 'clip'] as const) {
    if (values[flag] !== undefined)
      throw new ObscuraError('InvalidParameterError', `--${flag} does not apply to ${mechanism} (it releases a label)`);
  }
  const text = values.epsilon;
  if (text === undefined) throw new ObscuraError('InvalidParameterError', '--epsilon is required');
  const epsilon = numberFlag('epsilon', text);
  if (values.scope !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(values.scope))
    throw new ObscuraError(
      'InvalidParameterError',
      `--scope must be 1-128 letters, digits or . _ : -, got "${values.scope}"`,
    );
  return {
    mechanism: mechanism as CategoryMechanismName,
    epsilon,
    codebook: values.codebook,
    ...(values.scope !== undefined ? { scope: values.scope } : {}),
  };
}
