/** The two ways a widget frame on another site reaches the first-party release service. */
import { startSharedReleaseWorker, type ReleaseConnection } from '../../client/index';
import { LEDGER_CHANNEL, isLedgerDelta } from '../../release/index';
import type { StorageAccessHandle } from './storage-access';

/** The release service as a shared worker started from the storage-access handle (first-party storage). */
export function sharedWorkerConnection(handle: StorageAccessHandle): ReleaseConnection {
  const worker = startSharedReleaseWorker((url, options) => handle.SharedWorker!(url, options));
  worker.port.start();
  // The handle's channel is the first-party one the release service announces changes on.
  const channel = handle.BroadcastChannel!(LEDGER_CHANNEL);
  return {
    endpoint: worker.port,
    onDelta: (listener) => {
      const heard = (event: MessageEvent<unknown>) => {
        if (isLedgerDelta(event.data)) listener(event.data);
      };
      channel.addEventListener('message', heard);
      return () => channel.removeEventListener('message', heard);
    },
    close: () => {
      worker.port.close();
      channel.close();
    },
  };
}

/**
 * The release service of Obscura's own window, relayed for this host on `port`; `onDelta` hears the
 * deltas the window passes on (narrowed to this host), which the frame's window listener dispatches.
 */
export function windowConnection(port: MessagePort, changes: EventTarget): ReleaseConnection {
  port.start();
  return {
    endpoint: port,
    onDelta: (listener) => {
      const heard = (event: Event) => {
        const { data } = event as MessageEvent<unknown>;
        if (isLedgerDelta(data)) listener(data);
      };
      changes.addEventListener('delta', heard);
      return () => changes.removeEventListener('delta', heard);
    },
    onChange: (listener) => {
      changes.addEventListener('changed', listener);
      return () => changes.removeEventListener('changed', listener);
    },
    close: () => port.close(),
  };
}
