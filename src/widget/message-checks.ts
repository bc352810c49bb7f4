/**
 * Schema checks small enough for the host-side loader, which must stay under 5 KB gzip: zod/mini's
 * code for the frame's messages alone is 6.8 KB gzip. Each check is a type guard, so a schema built
 * of them is also its message's type; it agrees with zod where zod is strict (numbers are finite) and
 * where it is lenient (an optional key may be present as undefined).
 */
export type Check<T> = (value: unknown) => value is T;
/** The type a check admits. */
export type Checked<C> = C extends Check<infer T> ? T : never;

type Optional<T> = Check<T | undefined> & { readonly optional: true };
type Fields = Record<string, Check<unknown>>;
type Flat<T> = { [K in keyof T]: T[K] };
type Shape<F extends Fields> = Flat<
  { [K in keyof F as F[K] extends Optional<unknown> ? never : K]: Checked<F[K]> } & {
    [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: Checked<F[K]>;
  }
>;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

export const string: Check<string> = (v): v is string => typeof v === 'string';

/** A finite number in [min, max]. */
export const number =
  (min = -Infinity, max = Infinity): Check<number> =>
  (v): v is number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

export const literal =
  <const L extends string | number>(value: L): Check<L> =>
  (v): v is L =>
    v === value;

/** A key that may be absent, or present as undefined. */
export const optional = <T>(check: Check<T>): Optional<T> =>
  Object.assign((v: unknown): v is T | undefined => v === undefined || check(v), { optional: true as const });

function keys(fields: Fields, loose: boolean): Check<Record<string, unknown>> {
  return (v): v is Record<string, unknown> =>
    isRecord(v) &&
    Object.entries(fields).every(([k, check]) => (Object.hasOwn(v, k) || 'optional' in check) && check(v[k])) &&
    (loose || Object.keys(v).every((k) => Object.hasOwn(fields, k)));
}

/** Exactly these keys, each passing its check. */
export const strictObject = <F extends Fields>(fields: F) => keys(fields, false) as Check<Shape<F>>;

/** At least these keys, each passing its check; any others pass unchecked. */
export const looseObject = <F extends Fields>(fields: F) =>
  keys(fields, true) as Check<Shape<F> & { readonly [key: string]: unknown }>;

/** One of these; give each a distinct literal `type`, so that at most one can match. */
export const oneOf =
  <C extends readonly Check<unknown>[]>(...checks: C): Check<Checked<C[number]>> =>
  (v): v is Checked<C[number]> =>
    checks.some((check) => check(v));
