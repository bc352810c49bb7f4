// PrivUnit's cap coordinate by the 64-step bisection of the incomplete-beta CDF (the sampler before its
// quantile tables), for a given uniform u: the reference the table-and-Newton inverse is checked against,
// and the baseline the sampler bench times beside it. It does the same constant work as that sampler did.
import { fixedBetaSteps, incompleteBetaFixedPair, logBeta } from '../../../src/privacy/math/special';
import type { PrivUnitParams } from '../../../src/privacy/mechanisms/privunit';

/** [t in the cap, t in the rest] for the uniform u: both regions bisected, as the sampler did. */
export function bisectCapCoordinates(params: PrivUnitParams, u: number): [number, number] {
  const a = (params.dims - 1) / 2;
  const steps = fixedBetaSteps(a);
  const logB = logBeta(a, a);
  const values = new Float64Array(4);
  const xCut = (1 - params.gamma) / 2;
  const q = params.q;
  const lowerTarget = u * q;
  const upperTarget = (1 - q) * (1 - u);
  let capLo = 0;
  let capHi = xCut;
  let restLo = xCut;
  let restHi = 1;
  for (let i = 0; i < 64; i++) {
    const capMid = (capLo + capHi) / 2;
    const restMid = (restLo + restHi) / 2;
    incompleteBetaFixedPair(capMid, restMid, a, a, steps, logB, values);
    const capBelow = Number(values[0]! < lowerTarget);
    const restBelow = Number(values[3]! > upperTarget);
    capLo = capBelow * capMid + (1 - capBelow) * capLo;
    capHi = capBelow * capHi + (1 - capBelow) * capMid;
    restLo = restBelow * restMid + (1 - restBelow) * restLo;
    restHi = restBelow * restHi + (1 - restBelow) * restMid;
  }
  return [1 - (capLo + capHi), 1 - (restLo + restHi)];
}
