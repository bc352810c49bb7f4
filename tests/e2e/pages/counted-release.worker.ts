/**
 * The production release worker's entry (src/release/release.worker.ts) as it is, with the ledger's and the
 * memo's whole-store reads counted from before its first request (whole-reads-counter.ts): modules run in the
 * order they are imported.
 */
import './whole-reads-counter';
import '../../../src/release/release.worker';
