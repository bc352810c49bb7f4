/**
 * The words between the widget frame and Obscura's own first-party window (/connect.html),
 * both of the app origin. The window says when it is ready, when the person has allowed the
 * host, each commit's delta narrowed to that host (hostDelta) and when it closes; the frame says
 * hello once, handing over the port on which the window relays its release service for that one host.
 * ("changed", a bare signal that called for a re-read, is still understood.)
 */
import * as z from 'zod/mini';
import { isLedgerDelta, type LedgerDelta } from '../../release/index';

export const WINDOW_PROTOCOL = 'obscura-window';

const envelope = { protocol: z.literal(WINDOW_PROTOCOL), v: z.literal(1) };

export const windowMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...envelope, type: z.literal('ready') }),
  z.strictObject({ ...envelope, type: z.literal('granted') }),
  z.strictObject({ ...envelope, type: z.literal('changed') }),
  z.strictObject({ ...envelope, type: z.literal('closing') }),
  z.strictObject({ ...envelope, type: z.literal('delta'), delta: z.custom<LedgerDelta>(isLedgerDelta) }),
]);
export type WindowMessage = z.infer<typeof windowMessageSchema>;

export const helloSchema = z.strictObject({ ...envelope, type: z.literal('hello'), host: z.string() });

export function windowMessage(type: Exclude<WindowMessage['type'], 'delta'>): WindowMessage {
  return { protocol: WINDOW_PROTOCOL, v: 1, type };
}

export function deltaMessage(delta: LedgerDelta): WindowMessage {
  return { protocol: WINDOW_PROTOCOL, v: 1, type: 'delta', delta };
}

/**
 * What of a commit's delta the window passes to one host's frame: that grant's entries, budget and
 * configuration, and the device's totals; never another host's rows or budget.
 */
export function hostDelta(delta: LedgerDelta, grant: string): LedgerDelta {
  const { budgets } = delta;
  return {
    kind: 'ledger-delta',
    entries: delta.entries.filter((e) => e.scope === grant),
    budgets: { ...budgets, scopes: budgets.scopes.filter((s) => s.scope === grant) },
    ledgerCount: delta.ledgerCount,
    ...(delta.scopes ? { scopes: delta.scopes.filter((s) => s.name === grant) } : {}),
  };
}

export function hello(host: string): z.infer<typeof helloSchema> {
  return { protocol: WINDOW_PROTOCOL, v: 1, type: 'hello', host };
}

/** The first-party window's URL for a host (the host is shown until the frame's hello confirms it). */
export function connectWindowUrl(appOrigin: string, host: string): string {
  const url = new URL('/connect.html', appOrigin);
  url.searchParams.set('host', host);
  return url.href;
}
