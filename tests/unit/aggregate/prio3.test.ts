// Prio3SumVec through our codec: shard → decode → prepare (both aggregators) → aggregate →
// unshard equals the plain sum; the client library shares exactly its noisy vector; and
// the leader's measurement share bytes do not depend on the input (chi-square).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { randomBytes, randomInt } from 'node:crypto';
import { Prio3SumVec } from '@divviup/prio3';
import { sumVecFor, type SumVec } from '../../../src/secure-aggregation/task';
import {
  decodeInputShare,
  decodePreparationShare,
  decodePublicShare,
  fromBase64Url,
  toBase64Url,
} from '../../../src/secure-aggregation/codec';
import { shardAggregateReport } from '../../../src/secure-aggregation/shard';
import { planAggregate } from '../../../src/privacy/aggregate/plan';
import { noisyQuantisedVector, prepareForAggregate } from '../../../src/privacy/aggregate/noisy-vector';
import { ALPHA } from '../../support/stats';
import { seededSource } from '../privacy/seeded-source';
import { chiSquareCritical } from './chi-square';

const verifyKey = randomBytes(16);

/** Both aggregators' preparation of one report from its wire bytes; the output shares, or null if rejected. */
async function prepareBoth(
  vdaf: SumVec,
  nonce: Buffer,
  publicShare: Buffer,
  shares: Buffer[],
): Promise<bigint[][] | null> {
  const states = await Promise.all(
    ([0, 1] as const).map(async (id) =>
      vdaf.prepareInit(
        verifyKey,
        id,
        null,
        nonce,
        decodePublicShare(vdaf, publicShare),
        await decodeInputShare(vdaf, id, shares[id]!),
      ),
    ),
  );
  // The preparation shares cross the wire too.
  const prepShares = states.map((s) => decodePreparationShare(vdaf, vdaf.encodePreparationShare(s.preparationShare)));
  try {
    const message = await vdaf.unshardPreparationShares(null, prepShares);
    return states.map((s) => {
      const out = vdaf.prepareNext(s.preparationState, message);
      if (!('outputShare' in out)) throw new Error('Prio3 prepares in one round');
      return out.outputShare;
    });
  } catch (e) {
    if ((e as Error).message === 'Verify error') return null;
    throw e;
  }
}

test('Prio3SumVec round trip on random inputs: the unsharded aggregate is the plain sum', async () => {
  for (const [dims, bits, reports] of [
    [16, 8, 6],
    [5, 13, 4],
  ] as const) {
    const vdaf = sumVecFor({ dims, bits });
    const plain = new Array<number>(dims).fill(0);
    const outputs: bigint[][][] = [];
    for (let r = 0; r < reports; r++) {
      const m = Array.from({ length: dims }, () => randomInt(2 ** bits));
      m.forEach((v, i) => (plain[i]! += v));
      const nonce = randomBytes(16);
      const { publicShare, inputShares } = await vdaf.shardEncoded(m, nonce, randomBytes(vdaf.randSize));
      assert.equal(inputShares[1]!.length, 48);
      const out = await prepareBoth(vdaf, nonce, publicShare, inputShares);
      assert.ok(out, 'a valid report is accepted');
      outputs.push(out);
    }
    const aggregates = [0, 1].map((id) =>
      vdaf.aggregate(
        null,
        outputs.map((o) => o[id]!),
      ),
    );
    assert.deepEqual(vdaf.unshard(null, aggregates, reports), plain);
  }
});

test('the client library shares exactly its noisy quantised vector, under a 16-byte report id', async () => {
  const plan = planAggregate({ epsilon: 2, delta: 1e-6, nMin: 100, dims: 12 });
  const prepared = prepareForAggregate(
    Array.from({ length: 12 }, (_, i) => Math.sin(i)),
    plan,
  );
  const report = await shardAggregateReport(prepared, plan, seededSource(7));
  const expected = noisyQuantisedVector(prepared, plan, seededSource(7));
  const vdaf = sumVecFor({ dims: 12, bits: plan.bits });
  const nonce = fromBase64Url(report.reportId, 'reportId');
  assert.equal(nonce.length, 16);
  const out = await prepareBoth(vdaf, nonce, fromBase64Url(report.publicShare, 'p'), [
    fromBase64Url(report.leaderShare, 'l'),
    fromBase64Url(report.helperShare, 'h'),
  ]);
  assert.ok(out);
  const sum = vdaf.unshard(null, [vdaf.aggregate(null, [out[0]!]), vdaf.aggregate(null, [out[1]!])], 1);
  assert.deepEqual(sum, Array.from(expected));
  assert.deepEqual(report.accounting.central, { epsilon: 2, delta: 1e-6 });
  assert.ok(report.accounting.local.epsilon > 2);
  // Our base64url agrees with Node's.
  const bytes = randomBytes(37);
  assert.equal(toBase64Url(bytes), bytes.toString('base64url'));
  assert.deepEqual(fromBase64Url(bytes.toString('base64url'), 'x'), bytes);
});

test('an out-of-range coordinate and tampered shares are rejected by preparation', async () => {
  const dims = 8;
  const bits = 8;
  const vdaf = sumVecFor({ dims, bits });
  const m = Array.from({ length: dims }, (_, i) => i * 30);
  const nonce = randomBytes(16);
  const good = await vdaf.shardEncoded(m, nonce, randomBytes(vdaf.randSize));
  assert.ok(await prepareBoth(vdaf, nonce, good.publicShare, good.inputShares));
  const leader = Buffer.from(good.inputShares[0]!);
  leader[100]! ^= 1;
  assert.equal(await prepareBoth(vdaf, nonce, good.publicShare, [leader, good.inputShares[1]!]), null);
  const helper = Buffer.from(good.inputShares[1]!);
  helper[3]! ^= 0x80;
  assert.equal(await prepareBoth(vdaf, nonce, good.publicShare, [good.inputShares[0]!, helper]), null);
  // A dishonest client: coordinate 2 encoded as 2^bits (a "bit" worth 2), with an honest-looking proof.
  const cheat = new Prio3SumVec({ shares: 2, length: dims, bits, chunkLength: vdaf.chunkLength });
  const encode = cheat.flp.encode.bind(cheat.flp);
  cheat.flp.encode = (x: number[]) => {
    const e = encode(x);
    e[2 * bits + bits - 1] = 2n;
    return e;
  };
  const bad = await cheat.shardEncoded(m, nonce, randomBytes(vdaf.randSize));
  assert.equal(await prepareBoth(vdaf, nonce, bad.publicShare, bad.inputShares), null);
});

/** Two-sample chi-square homogeneity statistic on byte histograms. */
function homogeneity(a: Uint32Array, b: Uint32Array): number {
  const na = a.reduce((s, x) => s + x, 0);
  const nb = b.reduce((s, x) => s + x, 0);
  let stat = 0;
  for (let i = 0; i < 256; i++) {
    const total = a[i]! + b[i]!;
    const ea = (total * na) / (na + nb);
    const eb = (total * nb) / (na + nb);
    stat += (a[i]! - ea) ** 2 / ea + (b[i]! - eb) ** 2 / eb;
  }
  return stat;
}

test('share independence: leader measurement share bytes look the same for very different inputs', async () => {
  const dims = 16;
  const bits = 8;
  const vdaf = sumVecFor({ dims, bits });
  const measurementBytes = vdaf.flp.measurementLen * 16;
  const inputs = [new Array<number>(dims).fill(0), new Array<number>(dims).fill(255)];
  const shares = inputs.map(() => new Uint32Array(256));
  const plain = inputs.map(() => new Uint32Array(256));
  for (let r = 0; r < 120; r++) {
    for (let k = 0; k < 2; k++) {
      const { inputShares } = await vdaf.shardEncoded(inputs[k]!, randomBytes(16), randomBytes(vdaf.randSize));
      for (const byte of inputShares[0]!.subarray(0, measurementBytes)) shares[k]![byte]!++;
      for (const byte of vdaf.flp.field.encode(vdaf.flp.encode(inputs[k]!))) plain[k]![byte]!++;
    }
  }
  const critical = chiSquareCritical(255, ALPHA);
  const stat = homogeneity(shares[0]!, shares[1]!);
  assert.ok(stat < critical, `χ² = ${stat.toFixed(1)} ≥ ${critical.toFixed(1)} on 255 df`);
  // The same test on the unshared encodings does tell the two inputs apart.
  assert.ok(
    homogeneity(
      plain[0]!.map((x) => x + 1),
      plain[1]!.map((x) => x + 1),
    ) > critical,
  );
});
