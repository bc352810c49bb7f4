/**
 * The messages leader and helper exchange, one zod schema each, used by the side that sends
 * (the leader parses the helper's answer) and by the side that receives (the helper parses the
 * leader's request). A message outside its schema is the sender's fault: a named 400.
 */
import { z } from 'zod';
import { SHARE_REPORT_ID } from '../src/report/share-body';
import { HttpError } from '../server-kit/index';

const reportId = z.string().regex(SHARE_REPORT_ID, 'must be a report id (16 bytes in base64url)');
const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/, 'must be unpadded base64url');

/** POST /aggregate-init: the leader's preparation share of each report, for the helper to verify. */
export const aggregateInitSchema = z.strictObject({
  prepareShares: z.array(z.strictObject({ reportId, prepareShare: base64url })),
});
export type AggregateInit = z.infer<typeof aggregateInitSchema>;

/** The helper's answer to it: per report, valid (with the prepare message), invalid or missing. */
export const helperVerdictSchema = z.discriminatedUnion('status', [
  z.strictObject({ reportId, status: z.literal('valid'), prepareMessage: base64url }),
  z.strictObject({ reportId, status: z.enum(['invalid', 'missing']) }),
]);
export type HelperVerdict = z.infer<typeof helperVerdictSchema>;
export const aggregateInitAnswerSchema = z.strictObject({ verdicts: z.array(helperVerdictSchema) });

/** POST /batches/{batchId}: the reports the leader batched, for the helper to claim alike. */
export const batchClaimSchema = z.strictObject({ reportIds: z.array(reportId) });
export type BatchClaim = z.infer<typeof batchClaimSchema>;

/** `value` by `schema`, or a 400 naming the first field that is wrong. */
export function parseMessage<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  throw new HttpError(400, 'InvalidRequestError', `${what}: ${field}: ${issue.message}`);
}
