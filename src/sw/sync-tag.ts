/** The Background Sync tag under which pages ask the service worker to send the outbox when the network is back. */
export const OUTBOX_SYNC_TAG = 'obscura-outbox';

/** The message a page posts to a waiting service worker when the person accepts the update. */
export const SKIP_WAITING_MESSAGE = 'obscura:skip-waiting';
