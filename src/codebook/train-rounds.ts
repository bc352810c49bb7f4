/**
 * The wire messages of federated training, one home for the collector's routes, the coordinator
 * and the devices: a round's state, a published version of the head, and what the coordinator
 * asks the collector to record when it closes a round.
 *
 *   GET  /train/{task}                       {task, now, version, rounds, round}: the latest version, the rounds so far
 *   GET  /train/{task}/versions/{v|latest}   a published version: the head as a sealed codebook
 *   GET  /train/{task}/rounds/{r|current}    one round's state
 *   POST /train/{task}/rounds                coordinator: opens the next round on the latest version
 *   POST /train/{task}/rounds/{r}/close      coordinator: released (with the next version) or expired
 *
 * A round's shares carry the round in their report id (the VDAF nonce's first 3 bytes), so the
 * leader batches a round's shares only with each other (aggregator/round-batches.ts): a share that
 * arrives after its round closed is never summed with another round's, and the shares of a round
 * that never reached n_min are never summed at all.
 */
import { z } from 'zod';
import { ObscuraError } from '../errors';

const count = z.number().int().min(0);
const time = z.string().datetime();
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const ROUND_STATES = ['open', 'released', 'expired'] as const;
export type RoundState = (typeof ROUND_STATES)[number];

export const roundSchema = z.strictObject({
  task: z.string().min(1).max(128),
  round: z.number().int().min(1),
  state: z.enum(ROUND_STATES),
  /** The version devices train on during the round. */
  headVersion: count,
  openedAt: time,
  /** After this the coordinator closes a round that has not reached n_min, releasing nothing. */
  closesAt: time,
  closedAt: time.optional(),
  /** Released: the devices summed, the aggregators' batch id and the version it produced. */
  count: count.optional(),
  batchId: z.string().max(64).optional(),
  version: count.optional(),
  /** Expired: why nothing was released. */
  reason: z.string().max(500).optional(),
});
export type Round = z.infer<typeof roundSchema>;

/** The coordinator's state after a version: the server optimizer's buffers (post-processing of released sums). */
export const optimizerStateSchema = z.strictObject({
  velocity: z.array(finite),
  second: z.array(finite),
});

export const versionSchema = z.strictObject({
  task: z.string().min(1).max(128),
  version: count,
  /** The round whose sum made it; absent for version 0. */
  round: z.number().int().min(1).optional(),
  publishedAt: time,
  /** The head, as a sealed codebook (src/codebook/codebook-schema.ts; checked with parseCodebook). */
  codebook: z.record(z.string(), z.unknown()),
  optimizer: optimizerStateSchema,
});
export type PublishedVersion = z.infer<typeof versionSchema>;

export const trainStatusSchema = z.strictObject({
  task: z.string(),
  /** The collector's clock, by which rounds close. */
  now: time,
  /** The latest published version. */
  version: count,
  /** Rounds opened so far (released, expired or open). */
  rounds: count,
  /** The latest round, or null before the first. */
  round: roundSchema.nullable(),
});
export type TrainStatus = z.infer<typeof trainStatusSchema>;

/** POST /train/{task}/rounds/{r}/close. */
export const closeRoundSchema = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('released'),
    batchId: z.string().min(1).max(64),
    count: z.number().int().min(1),
    codebook: z.record(z.string(), z.unknown()),
    optimizer: optimizerStateSchema,
  }),
  z.strictObject({ outcome: z.literal('expired'), count, reason: z.string().min(1).max(500) }),
]);
export type CloseRound = z.infer<typeof closeRoundSchema>;

/** Parses one message; InvalidParameterError naming `what` and the first field that is wrong. */
export function parseTrainMessage<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || what;
  throw new ObscuraError('InvalidParameterError', `${what}: ${field}: ${issue.message}`, { field });
}

/** The largest round a 3-byte tag carries. */
export const ROUND_TAG_MAX = 2 ** 24 - 1;

/** The first 3 bytes of every share id of round `round`. */
export function roundTag(round: number): Uint8Array {
  if (!Number.isInteger(round) || round < 1 || round > ROUND_TAG_MAX)
    throw new ObscuraError('InvalidParameterError', `a round is an integer in [1, ${ROUND_TAG_MAX}], got ${round}`);
  return Uint8Array.of((round >>> 16) & 255, (round >>> 8) & 255, round & 255);
}

/** The 4 base64url characters every share id of round `round` starts with (3 bytes make 4 characters). */
export function roundIdPrefix(round: number): string {
  const [a, b, c] = roundTag(round) as unknown as [number, number, number];
  const n = (a << 16) | (b << 8) | c;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return [18, 12, 6, 0].map((s) => alphabet[(n >>> s) & 63]).join('');
}
