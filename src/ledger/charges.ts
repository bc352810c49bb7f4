import { epsilonUnitsUp } from '../privacy/accountant';
import type { Charge } from './budget-policy';
import type { LedgerEntry } from './ledger-schema';

/**
 * The charges that count: every entry's but a withdrawn one's. A withdrawn report never left the
 * device (the reporter withdraws only before an attempt), so it released nothing and its ε is owed back.
 */
export function countingCharges(entries: readonly LedgerEntry[]): Charge[] {
  return entries.filter((e) => e.state !== 'withdrawn').map(chargeOf);
}

/** A ledger entry's charge; entries from before version 2 count as ⌈ε⌉ of pure ε on the grid. */
export function chargeOf(e: LedgerEntry): Charge {
  return {
    time: e.time,
    scope: e.scope,
    epsilonUnits: e.epsilonUnits ?? epsilonUnitsUp(e.epsilon),
    rhoUnits: e.rhoUnits ?? 0,
    ...(e.deltaUnits ? { deltaUnits: e.deltaUnits } : {}),
  };
}
