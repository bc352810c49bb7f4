import { PAGE_INDEXES } from './ledger-indexes';
import { storageError, type LedgerDb } from './ledger-schema';

/** What sorts above every [time, id] after a host in the host index's keys (arrays sort above numbers). */
const AFTER_HOST: never[] = [];

/**
 * The origins of the widget hosts with entries in the ledger, each once, sorted: a key cursor over the
 * host index that jumps from each host's first key past all of its others, so one step per host,
 * whatever the number of entries (the app's own entries have no host and are not in that index).
 */
export async function ledgerHosts(db: LedgerDb): Promise<string[]> {
  try {
    const index = db.transaction('ledger').store.index(PAGE_INDEXES.host.name);
    const hosts: string[] = [];
    let cursor = await index.openKeyCursor();
    while (cursor) {
      const host = (cursor.key as [string, number, string])[0];
      hosts.push(host);
      cursor = await cursor.continue([host, AFTER_HOST] as unknown as [string, number, string]);
    }
    return hosts;
  } catch (err) {
    throw storageError(err);
  }
}
