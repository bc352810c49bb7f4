// How well a threshold on a measured time separates two classes (used by the timing test and the timing bench).

/** The best balanced accuracy of any threshold on `times` (either direction) as a classifier of `bits`. */
export function bestBalancedAccuracy(times: Float64Array, bits: Uint8Array): number {
  const order = Array.from(times.keys()).sort((i, j) => times[i]! - times[j]!);
  let ones = 0;
  for (const b of bits) ones += b;
  const zeros = bits.length - ones;
  let onesBelow = 0;
  let zerosBelow = 0;
  let best = 0.5;
  for (let k = 0; k < order.length; k++) {
    if (bits[order[k]!]) onesBelow++;
    else zerosBelow++;
    // Ties: only cut between different times.
    if (k + 1 < order.length && times[order[k + 1]!] === times[order[k]!]) continue;
    // "below ⇒ 0": TNR = zerosBelow/zeros, TPR = (ones − onesBelow)/ones; the other direction is 1 − that.
    const ba = (zerosBelow / zeros + (ones - onesBelow) / ones) / 2;
    best = Math.max(best, ba, 1 - ba);
  }
  return best;
}
