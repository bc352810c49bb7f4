/**
 * The memo's key: HMAC-SHA-256 under a key made on this device, over the content hash, the
 * release's parameters and the host site. A plain hash of the pixels would let anyone who
 * reads the device's IndexedDB test whether a known photo was ever processed; a keyed one
 * says nothing without the key, and the key is a non-extractable CryptoKey that Web Crypto
 * uses but never hands out (not to a script, not to a copy of the database's values).
 */
import type { ModelRef } from '../model-ref';
import type { LedgerDb } from './ledger-schema';

/** The name the memo's HMAC key is stored under in the `deviceKeys` store. */
export const MEMO_HMAC_KEY = 'memo-hmac';

/**
 * Everything that shapes a release's report, as JSON-serialisable values: a local release's model,
 * scope, grant, mechanism, dims and collector (and a category release's codebook, by hash, so a
 * changed codebook is a new release); an aggregate-only release's model, scope and the scope's
 * configuration (its task and aggregators decide the rest).
 */
export type MemoRelease =
  | {
      readonly kind: 'local';
      readonly model: ModelRef;
      readonly scope: string;
      readonly grant: string | undefined;
      readonly mechanism: unknown;
      readonly dims: number | undefined;
      readonly destination: string;
      readonly codebookHash?: string;
    }
  | { readonly kind: 'aggregate'; readonly model: ModelRef; readonly scope: string; readonly config: unknown };

/** What makes two releases the same: the decoded pixels' hash, the release, the site that asked. */
export interface MemoInput {
  readonly contentHash: string;
  readonly release: MemoRelease;
  /** The embedding page's origin for a widget release; absent for the app's own. */
  readonly host: string | undefined;
}

const keys = new WeakMap<LedgerDb, Promise<CryptoKey>>();

/** The memo key of one release, base64url. */
export async function memoKey(db: LedgerDb, input: MemoInput): Promise<string> {
  const message = JSON.stringify([input.contentHash, memoParameters(input.release), input.host ?? null]);
  const mac = await crypto.subtle.sign('HMAC', await deviceMemoKey(db), new TextEncoder().encode(message));
  return base64url(new Uint8Array(mac));
}

/** The release as the memo's message lists it; the order is part of every stored key, so it never changes. */
function memoParameters(release: MemoRelease): unknown[] {
  const { model, scope } = release;
  if (release.kind === 'aggregate') return [model.id, model.layer, scope, release.config];
  const { grant, mechanism, dims, destination, codebookHash } = release;
  return [
    model.id,
    model.layer,
    scope,
    grant ?? null,
    mechanism,
    dims ?? null,
    destination,
    ...(codebookHash ? [codebookHash] : []),
  ];
}

/** This device's HMAC key: made once, non-extractable, kept in the ledger database as a CryptoKey. */
export function deviceMemoKey(db: LedgerDb): Promise<CryptoKey> {
  let key = keys.get(db);
  if (!key) {
    key = loadOrCreate(db);
    keys.set(db, key);
    key.catch(() => keys.delete(db));
  }
  return key;
}

async function loadOrCreate(db: LedgerDb): Promise<CryptoKey> {
  const stored = await db.get('deviceKeys', MEMO_HMAC_KEY);
  if (stored) return stored;
  const made = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
  // Another tab or worker may have made one meanwhile: the first stored wins, so all agree.
  const tx = db.transaction('deviceKeys', 'readwrite', { durability: 'strict' });
  const raced = await tx.store.get(MEMO_HMAC_KEY);
  if (!raced) void tx.store.add(made, MEMO_HMAC_KEY);
  await tx.done;
  return raced ?? made;
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
