// The budget decision's cost on ledgers a caller can build: an app's few ε values beside many small
// charges spread over many distinct ε (each within the allowed range and within the budget). The
// decision runs before every release, so its cost must not grow with how many ε values a caller used,
// nor with how many charges the ledger holds. Timed is what the release path runs: decideOnSums on the
// running sums the ledger keeps (made here once per ledger by the audit's recount, outside the timing).
// Ratios against the honest ledger of the same size, measured side by side in one run.
import {
  DEVICE,
  MIN_WINDOW_MS,
  currentConfig,
  decideOnSums,
  orderedChanges,
  type BudgetChange,
  type Charge,
  type TargetState,
} from '../src/ledger/budget-policy';
import { costOf } from '../src/privacy/accountant';
import { EPSILON_MIN } from '../src/privacy/limits';
import { sumsOf } from '../tests/support/budget-recount';

export interface BudgetRow {
  readonly ledger: string;
  readonly charges: number;
  readonly distinctEpsilon: number;
  readonly medianMs: number;
  readonly ratioToHonest: number;
}

const LIFETIME = { kind: 'lifetime' } as const;

function charges(n: number, gap: number, epsilonOf: (i: number) => number): Charge[] {
  return Array.from({ length: n }, (_, i) => {
    const cost = costOf({ name: 'laplace', epsilon: epsilonOf(i) });
    return { time: i * gap, scope: 's', epsilonUnits: cost.epsilonUnits, rhoUnits: 0 };
  });
}

function budgets(total: number, window: BudgetChange['window']): BudgetChange[] {
  return [
    { seq: 1, time: 0, target: DEVICE, totalEpsilon: total, window },
    { seq: 2, time: 0, target: 's', totalEpsilon: total, window },
  ];
}

/** The scope's and the device's configuration and sums at `now`, as the ledger keeps them. */
function targets(changes: BudgetChange[], ledger: Charge[], now: number): { own: TargetState; device: TargetState } {
  const state = (target: string, charges: Charge[]): TargetState => ({
    config: currentConfig(changes, target)!,
    sums: sumsOf(orderedChanges(changes, target), charges, null, now),
  });
  return {
    own: state(
      's',
      ledger.filter((c) => c.scope === 's'),
    ),
    device: state(DEVICE, ledger),
  };
}

function medianMs(changes: BudgetChange[], ledger: Charge[], runs: number): number {
  const now = (ledger.at(-1)?.time ?? 0) + 1;
  const { own, device } = targets(changes, ledger, now);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    // A fresh ε each run, so no cached composition answers it.
    const cost = costOf({ name: 'laplace', epsilon: 0.5 + r / 1024 });
    const start = performance.now();
    decideOnSums('s', own, device, cost, now);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

export function benchBudgetDecision(runs = 5): BudgetRow[] {
  const honestEps = [0.01, 0.0125, 0.015, 0.0175, 0.02];
  const cases = [
    {
      ledger: 'lifetime, 5 distinct ε in [0.01, 0.02]',
      changes: budgets(100, LIFETIME),
      n: 2000,
      gap: 1000,
      eps: (i: number) => honestEps[i % 5]!,
    },
    {
      ledger: 'lifetime, 128 distinct ε in [0.01, 0.02)',
      changes: budgets(100, LIFETIME),
      n: 2000,
      gap: 1000,
      eps: (i: number) => EPSILON_MIN * 2 ** ((i % 128) / 128),
    },
    {
      ledger: 'lifetime, 10 000 charges at 1 024 distinct ε',
      changes: budgets(100, LIFETIME),
      n: 10_000,
      gap: 1000,
      eps: (i: number) => EPSILON_MIN * 2 ** ((i % 1024) / 1024),
    },
    {
      ledger: 'rolling day, 1 000 charges over 50 days',
      changes: budgets(10, { kind: 'rolling', ms: MIN_WINDOW_MS }),
      n: 1000,
      gap: MIN_WINDOW_MS / 20,
      eps: (i: number) => EPSILON_MIN * 2 ** ((i % 128) / 128),
    },
  ];
  const rows: BudgetRow[] = [];
  let honest = 0;
  for (const c of cases) {
    const ledger = charges(c.n, c.gap, c.eps);
    const ms = medianMs(c.changes, ledger, runs);
    if (rows.length === 0) honest = ms;
    rows.push({
      ledger: c.ledger,
      charges: c.n,
      distinctEpsilon: new Set(ledger.map((x) => x.epsilonUnits)).size,
      medianMs: ms,
      ratioToHonest: ms / honest,
    });
  }
  return rows;
}

export function printBudgetDecision(rows: readonly BudgetRow[]): void {
  console.log('\nbudget decision: median time of one decideOnSums on running sums (ratio to the honest ledger)');
  const head = ['charges'.padStart(8), 'distinct ε'.padStart(12), 'median ms'.padStart(11), 'ratio'.padStart(8)];
  console.log(`${'ledger'.padEnd(46)}${head.join('')}`);
  for (const r of rows)
    console.log(
      `${r.ledger.padEnd(46)}${String(r.charges).padStart(8)}${String(r.distinctEpsilon).padStart(12)}` +
        `${r.medianMs.toFixed(1).padStart(11)}${r.ratioToHonest.toFixed(2).padStart(8)}`,
    );
}
