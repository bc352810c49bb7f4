import { ObscuraError } from './errors';

/** Optional sign, digits with an optional fraction (or a fraction alone), optional exponent. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The number a numeric flag's text spells in plain decimal (`2`, `0.5`, `1e-6`). Number() alone
 * reads `0x10` as 16, `0o17`, `0b11` as octal and binary, a blank as 0 and takes `Infinity`; each
 * of these, surrounding spaces and a value too large for a double are an InvalidParameterError
 * naming the flag and the text.
 */
export function numberFlag(flag: string, text: string): number {
  const n = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(n))
    throw new ObscuraError(
      'InvalidParameterError',
      `--${flag} must be a plain decimal number (like 2, 0.5 or 1e-6), got "${text}"`,
    );
  return n;
}

/** A numeric flag (as numberFlag) that must also be an integer in [min, max]. */
export function integerFlag(flag: string, text: string, min: number, max = Infinity): number {
  const n = numberFlag(flag, text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ObscuraError(
      'InvalidParameterError',
      `--${flag} must be an integer ${max === Infinity ? `>= ${min}` : `from ${min} to ${max}`}, got "${text}"`,
    );
  return n;
}
