// The memo's keys in a real browser: HMAC-SHA-256 under a non-extractable key made on the device,
// over the content hash, the parameters and the host site. Whoever reads the device's IndexedDB
// finds no hash of the pixels there, so cannot test whether a known photo was ever processed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { createScopes, startedEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import type { ReleaseOptions } from '../../src/release/release-api';

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let browser: Browser;
let fixtures: string;
let photo: string;

before(async () => {
  fixtures = await makeGeneratedFixtures();
  photo = (await makeDistinctPhotos(fixtures, 1))[0]!;
  server = await startEnginePageServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A device: its own browser context (its own IndexedDB, so its own memo key) with a "memo" scope. */
async function device(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await createScopes(context, server.url, fixtures, [{ name: 'memo', totalEpsilon: 10 }]);
  return { context, page: await startedEnginePage(context, server.url, fixtures) };
}

const options = (host?: string): ReleaseOptions => ({
  scope: 'memo',
  mechanism: { name: 'privunit', epsilon: 0.5 },
  destination: 'host page',
  send: false,
  ...(host ? { host } : {}),
});

/**
 * Releases the photo for each host in turn; returns whether each was charged, the SHA-256 of the
 * photo's pixels computed here (decoded as the engine decodes), the engine's content hash, the
 * whole ledger database as text (every store but the key store) and the memo key's properties.
 */
async function releaseAndRead(page: Page, hosts: (string | undefined)[]) {
  return page.evaluate(
    async ([path, list]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const blob = await ob.fixture(path as string);
      const extraction = await ob.bridge().extract(blob);
      const charged = [];
      for (const o of list as ReleaseOptions[])
        charged.push((await ob.releases().release(extraction.contentHash, o)).charged);
      // The default model's input: 224×224, squashed in one decoding step, as the engine decodes it.
      const bitmap = await createImageBitmap(blob, {
        imageOrientation: 'from-image',
        resizeWidth: 224,
        resizeHeight: 224,
        resizeQuality: 'high',
      });
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(bitmap, 0, 0);
      const pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', pixels));
      const pixelHash = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      const pixelHashB64 = btoa(String.fromCharCode(...digest));
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('obscura-ledger');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const stores: Record<string, unknown[]> = {};
      for (const name of Array.from(db.objectStoreNames).filter((n) => n !== 'deviceKeys'))
        stores[name] = await new Promise<unknown[]>((resolve, reject) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const keys = await new Promise<{ key: IDBValidKey; value: unknown }[]>((resolve, reject) => {
        const out: { key: IDBValidKey; value: unknown }[] = [];
        const r = db.transaction('deviceKeys').objectStore('deviceKeys').openCursor();
        r.onsuccess = () => {
          const cursor = r.result;
          if (!cursor) return resolve(out);
          out.push({ key: cursor.key, value: cursor.value });
          cursor.continue();
        };
        r.onerror = () => reject(r.error);
      });
      db.close();
      const exports = [];
      for (const { value } of keys) {
        const key = value as CryptoKey;
        exports.push({
          isCryptoKey: key instanceof CryptoKey,
          extractable: key.extractable,
          algorithm: (key.algorithm as HmacKeyAlgorithm).name + '/' + (key.algorithm as HmacKeyAlgorithm).hash.name,
          usages: key.usages,
          raw: await crypto.subtle.exportKey('raw', key).then(
            () => 'exported',
            (e: Error) => e.name,
          ),
          jwk: await crypto.subtle.exportKey('jwk', key).then(
            () => 'exported',
            (e: Error) => e.name,
          ),
        });
      }
      return {
        charged,
        pixelHash,
        pixelHashB64,
        contentHash: extraction.contentHash,
        database: JSON.stringify(stores),
        memo: stores['memo'] as { key: string; reportId: string }[],
        deviceKeys: keys.map((k) => k.key),
        exports,
      };
    },
    [photo, hosts.map(options)] as const,
  );
}

test('memo keys are keyed by the device: no pixel hash in the ledger; its key cannot be exported', async () => {
  const a = await device();
  const b = await device();
  const first = await releaseAndRead(a.page, [undefined, undefined, 'https://one.example', 'https://one.example']);
  // Same image, parameters and host: the memo answers at no cost; another host is a new release.
  assert.deepEqual(first.charged, [true, false, true, false]);
  assert.equal(first.pixelHash, first.contentHash, 'the test hashes the same pixels as the engine');
  assert.ok(!first.database.includes(first.pixelHash), 'the SHA-256 of the pixels is nowhere in the ledger');
  assert.ok(!first.database.includes(first.pixelHash.toUpperCase()));
  assert.ok(!first.database.includes(first.pixelHashB64.replace(/=+$/, '')), 'not even as base64');
  assert.equal(first.memo.length, 2, 'one memo per host');
  for (const m of first.memo) assert.match(m.key, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit MAC, base64url');

  // The key: one CryptoKey object, HMAC-SHA-256, that Web Crypto refuses to export in any format.
  assert.deepEqual(first.deviceKeys, ['memo-hmac']);
  assert.deepEqual(first.exports, [
    {
      isCryptoKey: true,
      extractable: false,
      algorithm: 'HMAC/SHA-256',
      usages: ['sign'],
      raw: 'InvalidAccessError',
      jwk: 'InvalidAccessError',
    },
  ]);

  // Another device with the same image, parameters and host stores another key: it is no function of the pixels.
  const second = await releaseAndRead(b.page, [undefined]);
  assert.equal(second.contentHash, first.contentHash);
  assert.deepEqual(second.charged, [true]);
  assert.equal(second.memo.length, 1);
  assert.ok(
    !first.memo.some((m) => m.key === second.memo[0]!.key),
    'the same pixels, parameters and host give another key on another device',
  );
  await a.context.close();
  await b.context.close();
});
