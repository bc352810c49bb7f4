/**
 * A server's configuration from its command line, one way for all three: each flag may name an
 * environment variable read when the flag is absent, then a default. A flag that does not parse
 * (unknown, or missing its value) is an InvalidParameterError, which the commands exit with status 2.
 */
import { parseArgs } from 'node:util';
import { describeError, ObscuraError } from '../src/errors';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** The flag may be given several times (a list). */
  readonly multiple?: boolean;
  readonly short?: string;
  /** Environment variable read when the flag is absent. */
  readonly env?: string;
  /** Value when neither the flag nor the environment variable is given. */
  readonly default?: string | boolean | readonly string[];
}

type ValueOf<F extends FlagSpec> = F['multiple'] extends true
  ? string[]
  : F['type'] extends 'boolean'
    ? boolean
    : string;

export type FlagValues<S extends Record<string, FlagSpec>> = { [K in keyof S]: ValueOf<S[K]> | undefined };

export interface ReadFlags<S extends Record<string, FlagSpec>> {
  readonly values: FlagValues<S>;
  readonly positionals: string[];
}

/** Reads `argv` by `spec`: flag, else `env[spec.env]`, else `spec.default`. */
export function readFlags<const S extends Record<string, FlagSpec>>(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  spec: S,
  { positionals = false }: { positionals?: boolean } = {},
): ReadFlags<S> {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, f]) => [
      name,
      { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new ObscuraError('InvalidParameterError', describeError(err).message);
  }
  const values: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec)) {
    const fromEnv = f.env === undefined ? undefined : env[f.env];
    const given = parsed.values[name] ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
    values[name] = given ?? (Array.isArray(f.default) ? [...(f.default as string[])] : f.default);
  }
  return { values: values as FlagValues<S>, positionals: parsed.positionals };
}
