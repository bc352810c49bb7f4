/** The release worker's entry: no tfjs, no model; it owns the ledger, the outbox and the sender. */
import { expose } from 'comlink';
// Named errors keep their `details` (e.g. a refusal's remaining budget) on the way to the page.
import '../error-details';
import type { ReleaseApi } from './release-api';
import { ReleaseService } from './release-service';

expose(new ReleaseService() satisfies ReleaseApi);
