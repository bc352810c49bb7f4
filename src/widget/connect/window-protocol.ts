/**
 * The words between the widget frame and Obscura's own first-party window (/connect.html),
 * both of the app origin. The window says when it is ready, when the person has allowed the
 * host, when the ledger changed and when it closes; the frame says hello once, handing over
 * the port on which the window relays its release service for that one host.
 */
import * as z from 'zod/mini';

export const WINDOW_PROTOCOL = 'obscura-window';

const envelope = { protocol: z.literal(WINDOW_PROTOCOL), v: z.literal(1) };

export const windowMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...envelope, type: z.literal('ready') }),
  z.strictObject({ ...envelope, type: z.literal('granted') }),
  z.strictObject({ ...envelope, type: z.literal('changed') }),
  z.strictObject({ ...envelope, type: z.literal('closing') }),
]);
export type WindowMessage = z.infer<typeof windowMessageSchema>;

export const helloSchema = z.strictObject({ ...envelope, type: z.literal('hello'), host: z.string() });

export function windowMessage(type: WindowMessage['type']): WindowMessage {
  return { protocol: WINDOW_PROTOCOL, v: 1, type };
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
