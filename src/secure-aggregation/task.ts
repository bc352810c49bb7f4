/**
 * The VDAF of aggregate-only release: Prio3SumVec (draft-irtf-cfrg-vdaf-08, as implemented
 * by ISRG's @divviup/prio3) with two aggregators, `dims` coordinates of `bits` bits each.
 * Client, leader and helper build it from the same public task parameters.
 */
import { Prio3SumVec } from '@divviup/prio3';
import { ObscuraError } from '../errors';

export interface VdafTask {
  readonly dims: number;
  readonly bits: number;
}

export type SumVec = Prio3SumVec;

const cache = new Map<string, Prio3SumVec>();

/** The Prio3SumVec instance; the chunk length is √(dims·bits), the size the VDAF draft recommends. */
export function sumVecFor(task: VdafTask): Prio3SumVec {
  const { dims, bits } = task;
  if (!Number.isInteger(dims) || dims < 1 || dims > 1 << 16)
    throw new ObscuraError('InvalidParameterError', `dims must be an integer in [1, 65536], got ${dims}`);
  if (!Number.isInteger(bits) || bits < 1 || bits > 30)
    throw new ObscuraError('InvalidParameterError', `bits must be an integer in [1, 30], got ${bits}`);
  const key = `${dims}x${bits}`;
  let vdaf = cache.get(key);
  if (!vdaf) {
    vdaf = new Prio3SumVec({
      shares: 2,
      length: dims,
      bits,
      chunkLength: Math.max(1, Math.round(Math.sqrt(dims * bits))),
    });
    cache.set(key, vdaf);
  }
  return vdaf;
}
