// The one Web Crypto function the privacy core uses. ES2022's lib has no DOM types,
// so it is declared here; Node 20 and browsers both provide it on globalThis.
declare global {
  // eslint-disable-next-line no-var
  var crypto: { getRandomValues<T extends Uint32Array | Uint8Array>(array: T): T };
}
export {};
