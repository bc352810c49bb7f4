/** How close a report's vector is to the clean vector, prepared exactly as the release prepared it. */
import { prepareVector, type VectorMechanismParams } from '../privacy/mechanism';
import { projectionFor } from '../report/privatize-features';

export function reportCosine(
  clean: Float32Array,
  report: readonly number[],
  mechanism: VectorMechanismParams,
  dims: number | undefined,
): number {
  const projection = dims !== undefined && dims !== clean.length ? projectionFor(clean.length, dims) : undefined;
  const prepared = prepareVector(clean, mechanism, projection);
  let dot = 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < prepared.length; i++) {
    dot += prepared[i]! * report[i]!;
    a += prepared[i]! * prepared[i]!;
    b += report[i]! * report[i]!;
  }
  return a === 0 || b === 0 ? 0 : dot / Math.sqrt(a * b);
}
