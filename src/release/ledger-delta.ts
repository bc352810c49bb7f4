/** The one message a commit sends to the pages: what it changed, and the budgets after it from the running sums. */
import { listScopes, readOverview } from '../ledger/ledger-queries';
import type { LedgerDb, LedgerEntry } from '../ledger/ledger-schema';
import type { LedgerOverview } from '../ledger/running-totals';
import type { LedgerDelta } from './release-api';

export interface CommitChange {
  /** Entries the commit wrote, as written. */
  readonly entries?: readonly LedgerEntry[];
  /** Ids of entries it changed, read back now. */
  readonly ids?: readonly string[];
  /** A scope was created or configured: the scopes go with the delta. */
  readonly scopes?: boolean;
  /** The budgets and the count as the commit's own transaction left them; read afresh when absent. */
  readonly overview?: LedgerOverview;
}

export async function ledgerDelta(db: LedgerDb, change: CommitChange, now: number): Promise<LedgerDelta> {
  const read = await Promise.all((change.ids ?? []).map((id) => db.get('ledger', id)));
  const entries = [...(change.entries ?? []), ...read.filter((e): e is LedgerEntry => e !== undefined)];
  const { budgets, ledgerCount } = change.overview ?? (await readOverview(db, now));
  const scopes = change.scopes ? await listScopes(db) : undefined;
  return { kind: 'ledger-delta', entries, budgets, ledgerCount, ...(scopes ? { scopes } : {}) };
}
