/**
 * A training task (kind `train`): a collector declares it beside its release tasks, and devices,
 * the collector and the coordinator (`obscura train`) read it with this one schema. It names the
 * codebook whose head is trained, the labels a person may give, the features it reads, the whole
 * update's clipping norm, the round schedule, each round's central noise and the devices a round
 * needs (n_min), the two aggregators that sum the shares, and the local and server optimizers.
 *
 * Privacy of a round: every device clips its whole update to `clip` (user-level: one person, one
 * bounded contribution a round), adds its Skellam share and secret-shares it; the aggregators
 * release only the sum of at least n_min devices. The per-round (ε, δ) is the calibration's
 * central guarantee at "zero-out" neighbours (one person's update replaced by nothing, plan.ts),
 * and it holds if the aggregators do not collude and the round held n_min honest devices. A
 * device takes part at most once a round, so across the task it composes over at most `rounds`.
 *
 * Why DP-FedAvg and not DP-FTRL: the devices of a round are whoever comes, and the aggregators
 * see who uploads, so sampling is not secret and no amplification by sampling is claimed; the
 * guarantee is the composition of the per-round Skellam guarantees (Rényi, plan.ts). DP-FTRL's
 * tree noise would tighten that composition, but it needs correlated noise across rounds that
 * each round's fresh device shares cannot carry without state kept by the devices; the rounds
 * here are independent, which keeps a device that drops out from owing anything to later rounds.
 */
import { z } from 'zod';
import { ObscuraError } from '../errors';
import { modelRefSchema, type ModelRef } from '../model-ref';
import { planAggregate, type AggregatePlan } from '../privacy/aggregate/plan';
import { APPROX_DELTA_MAX, DELTA_MIN, EPSILON_MAX, EPSILON_MIN } from '../privacy/limits';
import { MAX_LABELS } from './codebook-schema';
import { headSize } from './linear-head';
import type { LocalSteps } from './local-update';
import type { ServerOptimizer } from './server-optimizer';

export const TRAIN_KIND = 'train';
/** The most rounds one task runs: each is a composition a device may be charged. */
export const TRAIN_ROUNDS_MAX = 10_000;
/** A round's shortest and longest time open. */
export const ROUND_SECONDS_MIN = 1;
export const ROUND_SECONDS_MAX = 30 * 24 * 3600;
const N_MIN_MAX = 1_000_000;
const MAX_DIMS = 1 << 16;

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ - only');
const positive = z.number().refine((x) => Number.isFinite(x) && x > 0, 'must be a finite number > 0');
const unitInterval = z.number().min(0).lt(1);
/** An absolute http(s) URL without credentials, query or fragment (this module compiles without URL). */
const AGGREGATOR_URL = /^(https?:\/\/[A-Za-z0-9.:[\]-]+)(\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$/;
const aggregatorUrl = z
  .string()
  .max(2048)
  .regex(AGGREGATOR_URL, 'must be an absolute http(s) URL without credentials, query or fragment')
  .transform((u) => u.replace(/\/+$/, ''));
const originOf = (u: string) => AGGREGATOR_URL.exec(u)?.[1]?.toLowerCase();

const serverSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('momentum'), learningRate: positive, momentum: unitInterval }),
  z.strictObject({
    kind: z.literal('adam'),
    learningRate: positive,
    beta1: unitInterval,
    beta2: unitInterval,
    tau: positive,
  }),
]);

/** One training task, as written in a tasks file and as served (the defaults filled in). */
export const trainTaskSchema = z
  .strictObject({
    kind: z.literal(TRAIN_KIND),
    /** The task's id: `obscura train --task ID`, its routes' name and the ledger scope of its charges. */
    scope: id,
    /** The codebook id every published version carries, as `${codebook}.v${version}`. */
    codebook: id,
    labels: z
      .array(z.string().min(1).max(200))
      .min(2)
      .max(MAX_LABELS)
      .refine((l) => new Set(l).size === l.length, 'labels must be distinct'),
    /** The extractor's model, layer and feature dims the examples must come from. */
    model: modelRefSchema,
    /** L2 norm bound of one device's whole update. */
    clip: positive,
    /** How many rounds the task runs, and how long each stays open for devices before it closes. */
    rounds: z.number().int().min(1).max(TRAIN_ROUNDS_MAX),
    roundSeconds: z.number().int().min(ROUND_SECONDS_MIN).max(ROUND_SECONDS_MAX),
    /** The central (ε, δ) of one round's released sum. */
    noise: z.strictObject({
      epsilon: z.number().min(EPSILON_MIN).max(EPSILON_MAX),
      delta: z.number().min(DELTA_MIN).max(APPROX_DELTA_MAX),
    }),
    /** Devices whose shares a round needs before its sum is released. */
    nMin: z.number().int().min(2).max(N_MIN_MAX),
    aggregators: z.strictObject({ leader: aggregatorUrl, helper: aggregatorUrl }),
    /** Version 0: the zero head, or a public codebook's linear head (same model and labels). */
    init: z.union([z.literal('zero'), z.strictObject({ codebook: id })]).default('zero'),
    /** A device's full-batch steps on its own examples. */
    local: z
      .strictObject({ steps: z.number().int().min(1).max(100), learningRate: positive })
      .default({ steps: 5, learningRate: 1 }),
    /** The coordinator's optimizer over the averaged update. */
    server: serverSchema.default({ kind: 'momentum', learningRate: 1, momentum: 0.9 }),
    /** Quantisation scale of the shares (plan.ts; default 1024). */
    scale: positive.optional(),
    /**
     * Public statistics of the task's features (mean and spread of L2-normalised vectors, one value a
     * dimension): devices step, clip and send in standardised coordinates and the coordinator steps there
     * (standardise.ts). Absent: both work on the plain head.
     */
    standardise: z
      .strictObject({
        mean: z.array(z.number().refine(Number.isFinite, 'must be finite')).max(MAX_DIMS),
        sd: z.array(positive).max(MAX_DIMS),
      })
      .optional(),
    /** Rounds one device takes part in at most (default: every round); the user-level guarantee composes over these. */
    participations: z.number().int().min(1).max(TRAIN_ROUNDS_MAX).optional(),
  })
  .superRefine((t, ctx) => {
    for (const field of ['mean', 'sd'] as const)
      if (t.standardise && t.standardise[field].length !== t.model.dims)
        ctx.addIssue({
          code: 'custom',
          path: ['standardise', field],
          message: `must hold ${t.model.dims} values, one a feature dimension`,
        });
    if (t.participations !== undefined && t.participations > t.rounds)
      ctx.addIssue({ code: 'custom', path: ['participations'], message: 'must be at most the rounds' });
    if (originOf(t.aggregators.leader) === originOf(t.aggregators.helper))
      ctx.addIssue({
        code: 'custom',
        path: ['aggregators', 'helper'],
        message: "must be on another origin than the leader's",
      });
  });

export type TrainTaskInput = z.input<typeof trainTaskSchema>;
export type TrainTask = Readonly<z.output<typeof trainTaskSchema>> & {
  readonly model: ModelRef;
  readonly local: LocalSteps;
  readonly server: ServerOptimizer;
};

/** True for a declaration of kind `train` (which parseTrainTask then reads). */
export function isTrainDeclaration(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === TRAIN_KIND;
}

/** The task, or InvalidTaskError naming the source, the task and the field. */
export function parseTrainTask(value: unknown, source: string, where = 'task'): TrainTask {
  const result = trainTaskSchema.safeParse(value);
  if (result.success) return result.data as TrainTask;
  const issue = result.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? String(issue.keys[0]) : issue.path.join('.') || 'task';
  const message = issue.code === 'unrecognized_keys' ? `unknown field ${JSON.stringify(issue.keys[0])}` : issue.message;
  throw new ObscuraError('InvalidTaskError', `${source}: ${where}: ${field}: ${message}`, { source, where, field });
}

/** Rounds one device takes part in at most: the user-level guarantee composes over these. */
export function trainParticipations(task: Pick<TrainTask, 'rounds' | 'participations'>): number {
  return task.participations ?? task.rounds;
}

/** The parameters one device sends a round: the head's k·(dims + 1) numbers. */
export function trainDims(task: TrainTask): number {
  return headSize(task.labels.length, task.model.dims);
}

const plans = new Map<string, AggregatePlan>();

/**
 * One round's calibration: the Skellam share each device adds to its clipped update so that a sum of
 * at least n_min meets the task's per-round (ε, δ) at zero-out neighbours. Computed once per task.
 */
export function trainPlan(task: TrainTask): AggregatePlan {
  const params = {
    epsilon: task.noise.epsilon,
    delta: task.noise.delta,
    nMin: task.nMin,
    dims: trainDims(task),
    clip: task.clip,
    ...(task.scale === undefined ? {} : { scale: task.scale }),
    neighbours: 'zero-out' as const,
  };
  const key = JSON.stringify(params);
  let plan = plans.get(key);
  if (!plan) {
    plan = planAggregate(params);
    plans.set(key, plan);
  }
  return plan;
}

/** What the two aggregators of a task are started with: its share length, bits and n_min. */
export function trainVdafTask(task: TrainTask): { dims: number; bits: number; nMin: number } {
  const plan = trainPlan(task);
  return { dims: plan.dims, bits: plan.bits, nMin: task.nMin };
}

/** The codebook id of version `version` of the task's head. */
export function versionCodebookId(task: Pick<TrainTask, 'codebook'>, version: number): string {
  return `${task.codebook}.v${version}`;
}

/**
 * The training tasks of a tasks document (a JSON array that may also hold release tasks, which are
 * left to parseTasks): InvalidTaskError naming the source, the task and the field; two of one scope
 * are refused.
 */
export function parseTrainTasks(value: unknown, source: string): TrainTask[] {
  if (!Array.isArray(value)) return [];
  const out: TrainTask[] = [];
  value.forEach((item, index) => {
    if (!isTrainDeclaration(item)) return;
    const scope = (item as { scope?: unknown }).scope;
    const where = typeof scope === 'string' ? `task ${index} (${JSON.stringify(scope)})` : `task ${index}`;
    const task = parseTrainTask(item, source, where);
    if (out.some((t) => t.scope === task.scope))
      throw new ObscuraError('InvalidTaskError', `${source}: ${where}: scope: another task declares the same scope`, {
        source,
        where,
        field: 'scope',
      });
    out.push(task);
  });
  return out;
}
