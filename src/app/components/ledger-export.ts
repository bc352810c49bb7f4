import type { LedgerSource } from './ledger-source';

/** Entries per read while exporting: the most one ledger page may hold. */
const EXPORT_PAGE = 500;

/**
 * The whole ledger as a JSON array, one entry per line, read page by page as the stream is pulled:
 * no more than one page of entries is held at a time, whatever the ledger's size.
 */
export function ledgerJsonStream(source: LedgerSource): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: string | undefined;
  let written = 0;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return controller.close();
      const page = await source({ limit: EXPORT_PAGE, ...(after !== undefined ? { after } : {}) });
      const lines = page.entries.map((e) => JSON.stringify(e));
      let text = written === 0 ? '[\n' : '';
      if (lines.length > 0) text += (written > 0 ? ',\n' : '') + lines.join(',\n');
      written += lines.length;
      after = page.next;
      if (after === undefined) {
        text += '\n]\n';
        done = true;
      }
      controller.enqueue(encoder.encode(text));
    },
  });
}

/** Saves the ledger as a file: the stream becomes a Blob (held by the browser, not as JS objects). */
export async function downloadLedger(source: LedgerSource): Promise<void> {
  const blob = await new Response(ledgerJsonStream(source)).blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([blob], { type: 'application/json' }));
  a.download = `obscura-ledger-${new Date().toISOString().slice(0, 10)}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
