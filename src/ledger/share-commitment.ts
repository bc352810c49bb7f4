/**
 * What the ledger keeps of an aggregate-only release: each share's SHA-256 and where it went,
 * never the shares. Together the two input shares rebuild this person's quantised vector at
 * the local ε; apart, each is noise to whoever holds it. So the shares live only in the outbox
 * until their own aggregator takes them (or refuses them for good), and the ledger, and every
 * export of it, holds a commitment the person can match against what each aggregator received.
 */
import type { AggregateSubmission, AggregatorRole } from './ledger-schema';
import { sha256Hex } from './sha256';

/** One aggregator's part of the commitment. */
export interface ShareCommitment {
  /** Where the share was PUT: `{aggregator}/reports/{id}`. */
  readonly url: string;
  /** SHA-256 (hex) of the input share's bytes (base64url-decoded). */
  readonly inputShareSha256: string;
}

/** The ledger's payload of an aggregate-only release. */
export interface AggregateCommitment {
  readonly kind: 'aggregate-commitment';
  /** The report id (the VDAF nonce, base64url), which is also the ledger entry's id. */
  readonly id: string;
  /** SHA-256 (hex) of the public share's bytes, which both aggregators received. */
  readonly publicShareSha256: string;
  readonly leader: ShareCommitment;
  readonly helper: ShareCommitment;
}

/** The commitment to a submission's shares (synchronous: the schema upgrade computes it inside its transaction). */
export function commitmentOf(submission: AggregateSubmission): AggregateCommitment {
  const share = (role: AggregatorRole): ShareCommitment => ({
    url: submission[role].url,
    inputShareSha256: sha256Hex(fromBase64Url(submission[role].body.inputShare)),
  });
  return {
    kind: 'aggregate-commitment',
    id: submission.id,
    publicShareSha256: sha256Hex(fromBase64Url(submission.leader.body.publicShare)),
    leader: share('leader'),
    helper: share('helper'),
  };
}

function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
