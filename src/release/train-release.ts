/**
 * A device's share of a training round, drawn before anything is charged: the local update of the
 * round's head on the person's own examples (a few full-batch steps, local-update.ts), clipped as
 * a whole to the task's norm, quantised, with this device's Skellam share of the round's noise,
 * and secret-shared with Prio3SumVec between the task's leader and helper under a report id that
 * carries the round (train-rounds.ts). What it costs is the round's central (ε, δ); the local
 * guarantee is that of the noise share alone. All randomness is from `source` (Web Crypto's in
 * every release). The clean update never leaves this function.
 */
import { deltaUnitsUp, epsilonUnitsUp, type Cost } from '../privacy/accountant';
import type { Guarantee } from '../privacy/aggregate/plan';
import { noisyQuantisedVector } from '../privacy/aggregate/noisy-vector';
import { cryptoRandomSource, type RandomSource } from '../privacy/random/random-source';
import { ObscuraError } from '../errors';
import type { Codebook } from '../codebook/codebook-schema';
import { headFromClassifier } from '../codebook/linear-head';
import { localUpdate } from '../codebook/local-update';
import { labelledExamples, type TrainExample } from '../codebook/train-examples';
import { roundTag, type Round } from '../codebook/train-rounds';
import { trainPlan, versionCodebookId, type TrainTask } from '../codebook/train-task';
import { shardValues } from '../secure-aggregation/shard';
import type { AggregateSubmission, TrainParticipation } from '../ledger/ledger-schema';

export type { TrainParticipation };

export interface DrawnTrainShare {
  readonly submission: AggregateSubmission;
  readonly cost: Cost;
  /** Holds if the aggregators do not collude and the round held n_min honest devices. */
  readonly central: Guarantee;
  /** Holds for this share alone, if they collude. */
  readonly local: Guarantee;
  readonly participation: TrainParticipation;
  /** The update's norm before clipping: for the person's own view, never sent. */
  readonly updateNorm: number;
}

/** Refuses a round that is not open or a head that is not the round's. */
function checkRound(task: TrainTask, round: Round, head: Codebook): void {
  if (round.task !== task.scope || round.state !== 'open')
    throw new ObscuraError('RoundNotOpenError', `round ${round.round} of task "${task.scope}" is ${round.state}`, {
      task: task.scope,
      round: round.round,
    });
  const expected = versionCodebookId(task, round.headVersion);
  if (head.id !== expected || head.classifier.kind !== 'linear')
    throw new ObscuraError(
      'CodebookMismatchError',
      `round ${round.round} trains the linear head ${expected}, not ${head.id} (${head.classifier.kind})`,
      { task: task.scope, expected, got: head.id },
    );
  const m = head.model;
  if (m.id !== task.model.id || m.layer !== task.model.layer || m.dims !== task.model.dims)
    throw new ObscuraError('CodebookMismatchError', `the head ${head.id} reads another model than the task`, {
      task: task.scope,
    });
  if (head.labels.length !== task.labels.length || head.labels.some((l, i) => l !== task.labels[i]))
    throw new ObscuraError('CodebookMismatchError', `the head ${head.id} has other labels than the task`, {
      task: task.scope,
    });
}

/** `collector`: the base URL that declared the task, recorded with the participation. */
export async function drawTrainShare(
  collector: string,
  task: TrainTask,
  round: Round,
  head: Codebook,
  examples: readonly TrainExample[],
  source: RandomSource = cryptoRandomSource,
): Promise<DrawnTrainShare> {
  checkRound(task, round, head);
  const labelled = labelledExamples(task, examples);
  if (head.classifier.kind !== 'linear') throw new Error('unreachable: checked above');
  const { update, norm } = localUpdate(
    headFromClassifier(head.classifier),
    labelled,
    task.local,
    task.clip,
    task.standardise,
  );
  const plan = trainPlan(task);
  const values = noisyQuantisedVector(update, plan, source);
  const shares = await shardValues(values, plan, source, roundTag(round.round));
  const body = (inputShare: string) => ({ publicShare: shares.publicShare, inputShare });
  const { leader, helper } = task.aggregators;
  const submission: AggregateSubmission = {
    kind: 'aggregate-shares',
    id: shares.reportId,
    leader: { url: `${leader}/reports/${shares.reportId}`, body: body(shares.leaderShare) },
    helper: { url: `${helper}/reports/${shares.reportId}`, body: body(shares.helperShare) },
  };
  const cost: Cost = {
    epsilon: plan.central.epsilon,
    delta: plan.central.delta,
    rho: 0,
    epsilonUnits: epsilonUnitsUp(plan.central.epsilon),
    rhoUnits: 0,
    deltaUnits: deltaUnitsUp(plan.central.delta),
  };
  return {
    submission,
    cost,
    central: plan.central,
    local: plan.local,
    participation: {
      collector,
      task: task.scope,
      round: round.round,
      codebookVersion: round.headVersion,
      codebook: head.id,
      codebookHash: head.hash,
      examples: examples.length,
    },
    updateNorm: norm,
  };
}
