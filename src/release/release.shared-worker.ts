/**
 * The release service as a shared worker: the widget frame on another site starts it from its
 * storage-access handle (`handle.SharedWorker`), so it runs with the app origin's first-party
 * storage (the one device budget, ledger and memo) however the frame itself is partitioned.
 * Every frame that connects shares this one service.
 */
import { expose } from 'comlink';
// Named errors keep their `details` (e.g. a refusal's remaining budget) on the way to the page.
import '../error-details';
import type { ReleaseApi } from './release-api';
import { ReleaseService } from './release-service';

const api = new ReleaseService() satisfies ReleaseApi;
const scope = self as unknown as { onconnect: ((event: MessageEvent) => void) | null };
scope.onconnect = (event) => {
  for (const port of event.ports) expose(api, port);
};
