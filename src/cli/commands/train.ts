import { parseArgs } from 'node:util';
import { ObscuraError } from '../../errors';
import { integerFlag } from '../../number-flag';
import type { CliIo } from '../cli-io';
import { writeJsonLine } from '../cli-io';
import { coordinateStep, type CoordinatorStep } from '../train-coordinator';

const OPTIONS = {
  collector: { type: 'string' },
  task: { type: 'string' },
  'collector-token': { type: 'string' },
  'analyst-token': { type: 'string' },
  batch: { type: 'string' },
  wait: { type: 'boolean' },
  'poll-ms': { type: 'string', default: '5000' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The help text of `obscura train`: its flags and the fields of each JSON line it prints. */
export const TRAIN_HELP = `obscura train --collector URL --task ID [--collector-token T] [--analyst-token T]
              [--wait [--poll-ms MS]] [--batch ID]

The coordinator of a training task: one step of its rounds each run (re-run it, or --wait).
  no round open        opens the next round on the latest published version
  a round open         with >= n_min valid shares at the aggregators: sums them, applies the mean
                       update with the server optimizer (DP-FedAvg) and publishes version k + 1;
                       past the round's time with fewer: closes it as expired, releasing nothing
Tokens: --collector-token (env COLLECTOR_TRAIN_TOKEN) writes rounds at the collector;
        --analyst-token (env AGGREGATOR_ANALYST_TOKEN) asks the aggregators to batch and collect.
--wait repeats steps every --poll-ms until a round is released or expired (or the task is finished).
--batch ID records a batch the leader already made for the open round (a run that failed after batching).

Each step prints one JSON line:
  task, action ("opened" | "waiting" | "released" | "expired" | "finished"), round, state,
  headVersion (the version the round trains), version (latest published after the step),
  devices (valid shares of the round; released: how many were summed), nMin, closesAt,
  batchId and codebook {id, hash} (released only),
  privacy {perRound {epsilon, delta}, local {epsilon, delta}, released {epsilon, delta, rounds},
           scheduled {epsilon, delta, rounds}, accountant, assumptions[]}
  (user-level central guarantees at zero-out neighbours; no amplification by sampling is claimed).
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  if (values.help) {
    io.stdout.write(TRAIN_HELP);
    return 0;
  }
  if (values.collector === undefined) throw new ObscuraError('InvalidParameterError', '--collector URL is required');
  if (values.task === undefined) throw new ObscuraError('InvalidParameterError', '--task ID is required');
  const collectorToken = values['collector-token'] ?? process.env['COLLECTOR_TRAIN_TOKEN'];
  const analystToken = values['analyst-token'] ?? process.env['AGGREGATOR_ANALYST_TOKEN'];
  if (!collectorToken)
    throw new ObscuraError('InvalidParameterError', '--collector-token (or COLLECTOR_TRAIN_TOKEN) is required');
  if (!analystToken)
    throw new ObscuraError('InvalidParameterError', '--analyst-token (or AGGREGATOR_ANALYST_TOKEN) is required');
  const pollMs = integerFlag('poll-ms', values['poll-ms']!, 10);
  let batchId = values.batch;
  for (;;) {
    const step: CoordinatorStep = await coordinateStep({
      collector: values.collector,
      task: values.task,
      collectorToken,
      analystToken,
      ...(batchId === undefined ? {} : { batchId }),
    });
    batchId = undefined;
    writeJsonLine(io.stdout, step);
    if (!values.wait || step.action === 'released' || step.action === 'expired' || step.action === 'finished') return 0;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
