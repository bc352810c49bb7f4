/**
 * VDAF preparation between the two aggregators. The leader starts it for its pending
 * reports and sends its preparation shares; the helper combines them with its own,
 * decides validity (the FLP verifier and its joint-randomness check) and answers with the
 * preparation message; the leader then runs its own check. A report counts only if both
 * accept it, since a batch lists only reports the leader accepted and the helper claims
 * only reports it accepted. Neither side ever sees the other's input share.
 */
import { Buffer } from 'node:buffer';
import {
  decodeInputShare,
  decodePreparationShare,
  decodePublicShare,
  encodeFieldVector,
} from '../src/secure-aggregation/codec';
import { fromBase64Url, toBase64Url } from '../src/secure-aggregation/codec';
import type { SumVec } from '../src/secure-aggregation/task';
import type { HelperVerdict } from './messages';
import type { AggregatorStore, StoredReport } from './store';

type Init = Awaited<ReturnType<SumVec['prepareInit']>>;

async function init(vdaf: SumVec, verifyKey: Buffer, id: 0 | 1, report: StoredReport): Promise<Init | null> {
  try {
    const nonce = fromBase64Url(report.report_id, 'reportId');
    const publicShare = decodePublicShare(vdaf, Buffer.from(report.public_share));
    const inputShare = await decodeInputShare(vdaf, id, Buffer.from(report.input_share!));
    return await vdaf.prepareInit(verifyKey, id, null, nonce, publicShare, inputShare);
  } catch {
    return null;
  }
}

function finish(vdaf: SumVec, state: Init, message: Buffer): bigint[] | null {
  try {
    const out = vdaf.prepareNext(state.preparationState, { jointRand: message });
    return 'outputShare' in out ? out.outputShare : null;
  } catch {
    return null;
  }
}

/** Helper: one leader preparation share → verdict, output share stored. Idempotent for a retried request. */
export async function helperPrepare(
  vdaf: SumVec,
  verifyKey: Buffer,
  store: AggregatorStore,
  reportId: string,
  leaderShare: string,
): Promise<HelperVerdict> {
  const report = await store.get(reportId);
  if (!report) return { reportId, status: 'missing' };
  if (report.state !== 'uploaded') {
    return report.state === 'valid' && report.prepare_message
      ? { reportId, status: 'valid', prepareMessage: toBase64Url(report.prepare_message) }
      : { reportId, status: 'invalid' };
  }
  const own = await init(vdaf, verifyKey, 1, report);
  let message: Buffer | null = null;
  if (own) {
    try {
      const leader = decodePreparationShare(vdaf, fromBase64Url(leaderShare, 'prepareShare'));
      message = (await vdaf.unshardPreparationShares(null, [leader, own.preparationShare])).jointRand;
    } catch {
      message = null;
    }
  }
  const output = own && message ? finish(vdaf, own, message) : null;
  await store.prepared(reportId, output ? encodeFieldVector(vdaf, output) : null, output ? message : null);
  return output && message
    ? { reportId, status: 'valid', prepareMessage: toBase64Url(message) }
    : { reportId, status: 'invalid' };
}

/** Leader: prepares up to `limit` pending reports with the helper; counts valid and invalid, lists those waiting. */
export async function leaderPrepare(
  vdaf: SumVec,
  verifyKey: Buffer,
  store: AggregatorStore,
  askHelper: (shares: { reportId: string; prepareShare: string }[]) => Promise<HelperVerdict[]>,
  limit: number,
  skip: readonly string[] = [],
): Promise<{ valid: number; invalid: number; waiting: string[] }> {
  const pending = await store.pending(limit, skip);
  const states = new Map<string, Init>();
  let invalid = 0;
  for (const report of pending) {
    const s = await init(vdaf, verifyKey, 0, report);
    if (s) states.set(report.report_id, s);
    else {
      await store.prepared(report.report_id, null, null);
      invalid++;
    }
  }
  if (states.size === 0) return { valid: 0, invalid, waiting: [] };
  const verdicts = await askHelper(
    [...states].map(([reportId, s]) => ({
      reportId,
      prepareShare: toBase64Url(vdaf.encodePreparationShare(s.preparationShare)),
    })),
  );
  let valid = 0;
  const waiting: string[] = [];
  for (const v of verdicts) {
    const state = states.get(v.reportId);
    if (!state) continue;
    if (v.status === 'missing') {
      waiting.push(v.reportId);
      continue;
    }
    const message = v.status === 'valid' ? fromBase64Url(v.prepareMessage, 'prepareMessage') : null;
    const output = message ? finish(vdaf, state, message) : null;
    await store.prepared(v.reportId, output ? encodeFieldVector(vdaf, output) : null, message);
    if (output) valid++;
    else invalid++;
  }
  return { valid, invalid, waiting };
}
