/**
 * Lets an error's `details` cross the worker boundary. Comlink's own handler for
 * thrown values keeps only name, message and stack; a BudgetExhaustedError's
 * remaining ε and refill time are data the page needs, not prose to parse. The
 * receiving side already copies every serialized field onto the rebuilt Error
 * (`Object.assign(new Error(message), value)`), so only the sender is wrapped.
 * Import this once in the worker entry.
 */
import { transferHandlers, type TransferHandler } from 'comlink';

type Serialized = { isError: boolean; value: unknown };

const builtIn = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, Serialized> | undefined;

if (builtIn) {
  const withDetails: TransferHandler<{ value: unknown }, Serialized> = {
    canHandle: (value): value is { value: unknown } => builtIn.canHandle(value),
    serialize(thrown) {
      const [serialized, transferables] = builtIn.serialize(thrown);
      const details = (thrown.value as { details?: unknown } | null)?.details;
      if (serialized.isError && details !== undefined && isPlainData(details)) {
        return [{ ...serialized, value: { ...(serialized.value as object), details } }, transferables];
      }
      return [serialized, transferables];
    },
    deserialize: (serialized) => builtIn.deserialize(serialized),
  };
  transferHandlers.set('throw', withDetails as TransferHandler<unknown, Serialized>);
}

/** Only structured-clonable plain data is forwarded; anything else would make postMessage throw. */
function isPlainData(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
