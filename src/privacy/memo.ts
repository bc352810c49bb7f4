/**
 * Memoizes a pure calibration by its arguments. Calibrations take milliseconds
 * (numerical optimisation) while a release takes microseconds, and an app uses a
 * handful of (ε, d) settings, so a small map is enough.
 */
export function memoize<A extends readonly (number | string)[], R>(
  fn: (...args: A) => R,
  limit = 64,
): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args: A): R => {
    const key = args.join('|');
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = fn(...args);
    if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
    return value;
  };
}
