import { ObscuraError } from '../errors';

/** A parameter out of its range: names the parameter, what was expected and what came. */
export function invalidParameter(name: string, expected: string, got: unknown): ObscuraError {
  return new ObscuraError('InvalidParameterError', `${name} must be ${expected}, got ${String(got)}`, {
    parameter: name,
  });
}

export function requirePositiveFinite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw invalidParameter(name, 'a finite number > 0', value);
  return value;
}

export function requireOpenUnit(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) throw invalidParameter(name, 'a number in (0, 1)', value);
  return value;
}

export function requireInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalidParameter(name, `an integer in [${min}, ${max}]`, value);
  return value;
}
