import { ObscuraError } from '../errors';

/** InvalidParameterError naming the parameter, what was expected and what came. */
export function invalid(name: string, expected: string, got: unknown): ObscuraError {
  return new ObscuraError('InvalidParameterError', `${name} must be ${expected}, got ${String(got)}`, {
    parameter: name,
  });
}
