/**
 * The one wire message of an aggregate-only release: under a report id, each aggregator receives
 * `{publicShare, inputShare}` by `PUT {aggregator}/reports/{reportId}`, both base64url and nothing
 * else. The release worker builds it, the outbox checks it before sending, and each aggregator
 * parses it with this same schema.
 */
import { z } from 'zod';
import { ObscuraError } from '../errors';

/** The two aggregators, in the order of VDAF aggregator ids: the leader drives preparation, the helper answers. */
export const AGGREGATOR_ROLES = ['leader', 'helper'] as const;
export type AggregatorRole = (typeof AGGREGATOR_ROLES)[number];

/** A report id of aggregate-only release: the 16-byte VDAF nonce, base64url. */
export const SHARE_REPORT_ID = /^[A-Za-z0-9_-]{22}$/;

const base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'must be unpadded base64url')
  .refine((text) => text.length % 4 !== 1, 'must be unpadded base64url');

export const shareBodySchema = z.strictObject({
  /** The joint randomness parts, the same for both aggregators. */
  publicShare: base64url,
  /** This aggregator's own input share. */
  inputShare: base64url,
});

export type ShareBody = z.infer<typeof shareBodySchema>;

/** The share body, or InvalidReportError naming the first field that is wrong. */
export function parseShareBody(value: unknown): ShareBody {
  const parsed = shareBodySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  const message =
    issue.code === 'unrecognized_keys'
      ? `a share holds exactly publicShare and inputShare, not ${issue.keys.join(', ')}`
      : `${field}: ${issue.message}`;
  throw new ObscuraError('InvalidReportError', message, { field });
}
