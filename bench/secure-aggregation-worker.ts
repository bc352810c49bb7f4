// One bench worker: shards `count` reports of the task and runs both aggregators'
// preparation on them, timing each step per report.
import { parentPort, workerData } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { planAggregate } from '../src/privacy/aggregate/plan';
import { noisyQuantisedVector, prepareForAggregate } from '../src/privacy/aggregate/noisy-vector';
import { cryptoRandomSource } from '../src/privacy/random/random-source';
import { sumVecFor } from '../src/secure-aggregation/task';
import {
  decodeInputShare,
  decodePreparationShare,
  decodePublicShare,
  toBase64Url,
} from '../src/secure-aggregation/codec';

export interface WorkerTask {
  dims: number;
  bits: number;
  count: number;
}

export interface ReportTiming {
  noiseMs: number;
  shardMs: number;
  leaderPrepareMs: number;
  helperPrepareMs: number;
  leaderUploadBytes: number;
  helperUploadBytes: number;
  leaderShareBytes: number;
  helperShareBytes: number;
}

async function run(task: WorkerTask): Promise<{ timings: ReportTiming[]; loopSeconds: number }> {
  const plan = planAggregate({ epsilon: 1, delta: 1e-6, nMin: 1000, dims: task.dims });
  const vdaf = sumVecFor(task);
  const verifyKey = randomBytes(16);
  const out: ReportTiming[] = [];
  let start = performance.now();
  // One warm-up report (JIT, tables), not counted.
  for (let r = -1; r < task.count; r++) {
    if (r === 0) {
      out.length = 0;
      start = performance.now();
    }
    const x = prepareForAggregate(
      Array.from({ length: task.dims }, (_, i) => Math.sin(r * 7.1 + i * 1.3)),
      plan,
    );
    const t0 = performance.now();
    const noisy = noisyQuantisedVector(x, plan, cryptoRandomSource);
    const t1 = performance.now();
    // The bench's bits may be below the plan's: clamp into them, the cost of sharding depends only on the bits.
    const values = Array.from(noisy, (v) => Math.min(v, 2 ** task.bits - 1));
    const nonce = randomBytes(16);
    const { publicShare, inputShares } = await vdaf.shardEncoded(values, nonce, randomBytes(vdaf.randSize));
    const t2 = performance.now();
    const body = (share: Buffer) =>
      JSON.stringify({ publicShare: toBase64Url(publicShare), inputShare: toBase64Url(share) });
    // Leader: decode and prepare its share; helper: expand its seeds, prepare, combine, finish.
    const t3 = performance.now();
    const leader = await vdaf.prepareInit(
      verifyKey,
      0,
      null,
      nonce,
      decodePublicShare(vdaf, publicShare),
      await decodeInputShare(vdaf, 0, inputShares[0]!),
    );
    const leaderShare = vdaf.encodePreparationShare(leader.preparationShare);
    const t4 = performance.now();
    const helper = await vdaf.prepareInit(
      verifyKey,
      1,
      null,
      nonce,
      decodePublicShare(vdaf, publicShare),
      await decodeInputShare(vdaf, 1, inputShares[1]!),
    );
    const message = await vdaf.unshardPreparationShares(null, [
      decodePreparationShare(vdaf, leaderShare),
      helper.preparationShare,
    ]);
    vdaf.prepareNext(helper.preparationState, message);
    const t5 = performance.now();
    vdaf.prepareNext(leader.preparationState, message);
    const t6 = performance.now();
    out.push({
      noiseMs: t1 - t0,
      shardMs: t2 - t1,
      leaderPrepareMs: t4 - t3 + (t6 - t5),
      helperPrepareMs: t5 - t4,
      leaderUploadBytes: Buffer.byteLength(body(inputShares[0]!)),
      helperUploadBytes: Buffer.byteLength(body(inputShares[1]!)),
      leaderShareBytes: inputShares[0]!.length,
      helperShareBytes: inputShares[1]!.length,
    });
  }
  return { timings: out, loopSeconds: (performance.now() - start) / 1000 };
}

parentPort!.postMessage(await run(workerData as WorkerTask));
