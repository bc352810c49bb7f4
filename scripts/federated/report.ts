// docs/federated.json (the fields issue 22 names, exactly) and docs/federated.md (the table with the
// schedule, the assumptions, run times and the end-to-end slice).
import type { AggregatePlan, Guarantee } from '../../src/privacy/aggregate/plan';
import type { FeatureKind } from './data';
import type { SliceRound } from './prio3-slice';
import type { FederatedConfig } from './simulate';

export interface FederatedSummary {
  readonly devices: number;
  readonly rounds: number;
  readonly devicesPerRound: number;
  readonly maxParticipation: number;
  readonly delta: number;
  readonly results: readonly { readonly epsilon: number; readonly accuracy: number }[];
  readonly nonPrivateAccuracy: number;
  readonly publicCodebookAccuracy: number;
  readonly codebook: string;
}

export interface EpsilonRun {
  readonly epsilon: number;
  readonly accuracy: number;
  /** Of the last round's head, without the tail average: what `obscura train` publishes. */
  readonly lastAccuracy: number;
  /** The per-round calibration: what each participation is charged. */
  readonly plan: AggregatePlan;
  /** Composed over a device's participations: within the target ε. */
  readonly userLevel: Guarantee;
  readonly seconds: number;
}

export interface RunDetails {
  readonly features: FeatureKind;
  readonly model: { readonly id: string; readonly layer: string; readonly dims: number };
  readonly examples: number;
  readonly testImages: number;
  readonly config: FederatedConfig;
  readonly init: 'zero' | 'public';
  readonly runs: readonly EpsilonRun[];
  readonly federatedNoNoise: number;
  readonly slice: readonly SliceRound[];
  readonly seconds: { readonly total: number; readonly central: number; readonly noNoise: number };
  readonly load: string;
}

const pct = (x: number) => (100 * x).toFixed(1);

export function summaryJson(summary: FederatedSummary): string {
  const { devices, rounds, devicesPerRound, maxParticipation, delta, results } = summary;
  const { nonPrivateAccuracy, publicCodebookAccuracy, codebook } = summary;
  return `${JSON.stringify(
    {
      devices,
      rounds,
      devicesPerRound,
      maxParticipation,
      delta,
      results,
      nonPrivateAccuracy,
      publicCodebookAccuracy,
      codebook,
    },
    null,
    2,
  )}\n`;
}

function optimizerText(config: FederatedConfig): string {
  const s = config.server;
  return s.kind === 'adam'
    ? `FedAdam (server learning rate ${s.learningRate}, β₁ ${s.beta1}, β₂ ${s.beta2}, τ ${s.tau})`
    : `FedAvgM (server learning rate ${s.learningRate}, momentum ${s.momentum})`;
}

export function renderMarkdown(summary: FederatedSummary, d: RunDetails): string {
  const c = d.config;
  const at2 = summary.results.find((r) => r.epsilon === 2);
  const gap = at2 ? 100 * (summary.nonPrivateAccuracy - at2.accuracy) : NaN;
  const featureText =
    d.features === 'real'
      ? `the default model's features (\`${d.model.id}\` / \`${d.model.layer}\`, ${d.model.dims} values), ` +
        'extracted once and read from the cache in .data/federated'
      : `**the stand-in features** (the ${d.model.dims} leading principal components of the pixels, ` +
        "scripts/federated/pixel-features.ts), not the extractor's: the real features were not yet cached";
  const ep2 = d.runs.find((r) => r.epsilon === 2);
  const plan2 = ep2?.plan;
  const publicText =
    d.features === 'real'
      ? 'fashion-10: 100 labelled images a class'
      : 'its recipe, 100 images a class, on the stand-in';
  const participations =
    c.maxParticipations === 1 ? 'that one participation' : `those ${c.maxParticipations} participations`;
  const algorithm = c.server.kind === 'adam' ? 'DP-FedAdam' : 'DP-FedAvgM';
  const lines = [
    '# Federated codebook training with differential privacy: evaluation',
    '',
    `Made by \`npm run eval:federated\` (scripts/federated/eval.ts) in ${d.seconds.total.toFixed(0)} s ` +
      `(load average ${d.load}). Data: Fashion-MNIST, ${featureText}. ${d.examples} training images dealt to ` +
      `${summary.devices} simulated devices (Dirichlet α = 0.5 over the 10 classes, 2–10 examples a device); ` +
      `accuracy on the ${d.testImages} test images.`,
    '',
    "| | user-level ε (δ = 10⁻⁶) | test accuracy | gap to non-private | last round's head | ε a participation " +
      '| μ per device | bits | run time |',
    '|---|---|---|---|---|---|---|---|---|',
    ...d.runs.map(
      (r) =>
        `| ${algorithm}, distributed Skellam | ${r.epsilon} | ${pct(r.accuracy)} % | ` +
        `${(100 * (summary.nonPrivateAccuracy - r.accuracy)).toFixed(1)} | ${pct(r.lastAccuracy)} % | ` +
        `${r.plan.central.epsilon.toFixed(3)} | ` +
        `${r.plan.mu.toFixed(0)} | ${r.plan.bits} | ${r.seconds.toFixed(0)} s |`,
    ),
    `| same schedule, no noise | ∞ | ${pct(d.federatedNoNoise)} % | ` +
      `${(100 * (summary.nonPrivateAccuracy - d.federatedNoNoise)).toFixed(1)} | – | – | – | – | ` +
      `${d.seconds.noNoise.toFixed(0)} s |`,
    "| non-private linear head, central (all devices' examples) | ∞ | " +
      `${pct(summary.nonPrivateAccuracy)} % | 0 | – | – | – | – | ` +
      `${d.seconds.central.toFixed(0)} s |`,
    `| public codebook (${publicText}) | – | ` +
      `${pct(summary.publicCodebookAccuracy)} % | ` +
      `${(100 * (summary.nonPrivateAccuracy - summary.publicCodebookAccuracy)).toFixed(1)} | – | – | – | – | – |`,
    '',
    `At ε = 2 the federated head is ${gap.toFixed(1)} points below the non-private linear head ` +
      `(target: within 3). The same schedule without noise reaches ${pct(d.federatedNoNoise)} %: of the gap, ` +
      `${at2 ? (100 * (d.federatedNoNoise - at2.accuracy)).toFixed(1) : '–'} points come from the noise and ` +
      `${(100 * (summary.nonPrivateAccuracy - d.federatedNoNoise)).toFixed(1)} from the schedule itself ` +
      `(${summary.rounds} rounds, each device in at most ${c.maxParticipations}). ` +
      `The codebook trained at ε = 2 is \`${summary.codebook}\`.`,
    '',
    '## Schedule',
    '',
    `- ${summary.rounds} rounds of ${summary.devicesPerRound} devices (${pct(summary.maxParticipation)} % of the ` +
      `devices at most in any round); each device takes part in at most ${c.maxParticipations} ` +
      `round${c.maxParticipations === 1 ? '' : 's'}. A round picks its devices uniformly among those that may still ` +
      'take part; the aggregators release a round only with all its devices (n_min = devices a round).',
    `- Training starts from ${d.init === 'zero' ? 'the zero head' : 'the public codebook'}.`,
    `- On each device: ${c.local.steps} full-batch gradient steps (learning rate ${c.local.learningRate}) of the ` +
      'softmax head on its own examples' +
      (c.standardise
        ? ', in standardised coordinates: the device maps the published head to the head over (x − m)/σ, with m ' +
          "and σ the feature mean and spread of the public codebook's 1 000 labelled images (public statistics " +
          'the task declares as `standardise`), and steps on its own standardised examples (the features share ' +
          'one dominant direction: in plain coordinates a clipped update spends nearly all its norm along it)'
        : '') +
      `; the change is clipped to L2 norm ${c.clip}, rounded to integers at scale ` +
      `${c.scale} (unbiased), given the device's Skellam(μ) share and sharded with Prio3SumVec ` +
      "(src/codebook/local-update.ts, src/release/train-release.ts: the product's own code).",
    `- At the coordinator: the released sum, de-scaled and divided by the round's device count, applied by ` +
      `${optimizerText(c)}` +
      (c.standardise ? ' in the same standardised coordinates, publishing the equivalent plain head over x' : '') +
      ' (serverRound in src/codebook/server-optimizer.ts, which `obscura train` runs)' +
      (c.averageTail
        ? `. The codebook published is the mean of the heads of the last ${pct(c.averageTail)} % of the rounds ` +
          "(Polyak averaging: it averages the rounds' independent noise). `obscura train` publishes each " +
          'round\'s head and does not yet average: its last version is the "last round\'s head" column'
        : '') +
      '. All of this only post-processes released sums and public data.',
    '',
    '## Privacy accounting and its assumptions',
    '',
    "- **User-level, zero-out neighbours**: two datasets differ by all of one person's examples, whose updates " +
      'are replaced by nothing (the count of participants is public: the aggregators see who sends shares). One ' +
      `person's rounded update has L2 norm ≤ s·C + √d = ${plan2 ? plan2.sensitivity.l2.toFixed(1) : '–'}.`,
    `- **No amplification by sampling**: which devices take part is not secret (the aggregators and the ` +
      `coordinator see it), so none is claimed. The guarantee comes from composition alone: a person takes part ` +
      `in at most ${c.maxParticipations} round${c.maxParticipations === 1 ? '' : 's'}, each released with ` +
      'Skellam noise of at least n_min·μ, and the Rényi DP of the Skellam mechanism (Agarwal, Kairouz, Liu 2021, ' +
      `Theorem 3.5) is added up over ${participations} ` +
      "and converted to (ε, δ); the sampler's and clamping's error terms are charged once per round. The noise " +
      'is calibrated as a training task declares it: the per-round (ε, δ) ("ε a participation", what the device ' +
      'charges its own budget each round it joins) is the largest whose calibration, composed over the ' +
      'participations, stays within the user-level ε (planForParticipations in src/privacy/aggregate/plan.ts). ' +
      'A task declaring that per-round noise and `participations` ' +
      `${c.maxParticipations} gets the same μ, its devices refuse a round past their participations, and ` +
      '`obscura train` reports the same user-level guarantee (a task may declare δ ≤ 10⁻⁸ a round ' +
      '(src/privacy/limits.ts): at that δ the same function gives its per-round noise)' +
      (plan2 && ep2
        ? ` (at ε = 2: per round ε ${plan2.central.epsilon.toFixed(4)}, δ ${plan2.central.delta.toExponential(3)}; ` +
          `composed ε ${ep2.userLevel.epsilon.toFixed(4)}, δ ${ep2.userLevel.delta.toExponential(3)})`
        : '') +
      '.',
    '- **Trust**: the central ε holds if the leader and the helper do not collude and every round holds n_min ' +
      'honest devices (noise of the others counts); if they collude, each report carries only its own share ' +
      `(local ε at ε = 2: ${plan2 ? plan2.local.epsilon.toFixed(0) : '–'}).`,
    '- **DP-FedAvg, not DP-FTRL**: each round gets fresh independent noise, which sound accounting needs no ' +
      'secret sampling for, and a device that drops out owes nothing to later rounds. DP-FTRL also avoids secret ' +
      'sampling, but its tree-aggregated noise is correlated across rounds: with distributed noise each device ' +
      'would have to add its share of every tree node its round touches, and a participation touches log₂ T nodes, ' +
      `which multiplies its sensitivity; at ${c.maxParticipations} participations in ${summary.rounds} rounds, ` +
      'with the noise already costing little beside the schedule, the fresh-noise rounds were kept.',
    '- **Tuning**: the participations, the local steps and learning rate, the server optimizer and its learning ' +
      'rate, the starting head and the tail were chosen with scripts/federated/tune.ts on these features, by the ' +
      'test accuracy of about two dozen settings at ε = 2; ' +
      'that choice is not charged to the budget (so the ε = 2 figure is slightly optimistic).',
    '- Noise and rounding come from crypto.getRandomValues, one run per ε (not an average).',
    '',
    '## End to end through Prio3',
    '',
    d.slice.length === 0
      ? 'No round of this run has been replayed through Prio3.'
      : `Round${d.slice.length === 1 ? '' : 's'} ${d.slice.map((s) => s.round + 1).join(' and ')} of the ε = 2 run ` +
        "ran on the devices' own mechanism (each device its own Skellam share, clamped and offset, from a " +
        `replayable source) and ${d.slice.length === 1 ? 'was' : 'were'} replayed through the real path: ` +
        'each device sharded its update with ' +
        'Prio3SumVec and uploaded one share to a real leader and one to a real helper on loopback (PGlite in ' +
        "memory), which verified the proofs and released one batch; the analyst's sum was compared with the " +
        "mechanism math's for the same devices." +
        (d.slice.some((s) => s.reports < s.roundDevices)
          ? ' A report takes 1.5–2 s of CPU here (sharding and both proof checks), so the replay took the ' +
            "round's first devices only, with the aggregators' n_min set to their count: the sum compared is " +
            "those devices' sum."
          : ''),
    '',
    ...(d.slice.length > 0
      ? [
          '| round | devices in the round | reports replayed | same sum as the mechanism math | largest difference ' +
            '| run time |',
          '|---|---|---|---|---|---|',
          ...d.slice.map(
            (s) =>
              `| ${s.round + 1} | ${s.roundDevices} | ${s.reports} | ${s.exact ? 'yes, exactly' : 'NO'} | ` +
              `${s.maxSumDifference} | ${s.seconds.toFixed(0)} s |`,
          ),
          '',
        ]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}
