// Network audit: a whole session (files, fake camera, releases, retries), every request
// from the page and its workers recorded. Nothing but schema-valid reports may leave.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Browser, BrowserContext, Request } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { createScopes, openEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import { startCollector, type TestCollector as Collector } from '../support/collector';
import { isReport } from '../support/is-report';
import type { ReleaseOptions } from '../../src/release/release-api';
import { SKIMAGE_DIR } from '../support/data-paths';

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let collector: Collector;
let browser: Browser;
let context: BrowserContext;
let fixtures: string;
const requests: { url: string; method: string; body: Buffer | null }[] = [];

before(async () => {
  fixtures = await makeGeneratedFixtures();
  await makeDistinctPhotos(fixtures, 2);
  server = await startEnginePageServer();
  collector = await startCollector({
    allowedOrigins: [server.url],
    tasks: ['audit', 'nostore'].map((scope) => ({ scope, mechanism: 'privunit', epsilon: 1 })),
  });
  browser = await launchChromium({ fakeCamera: true, autoAllow: true });
  context = await browser.newContext();
  await createScopes(context, server.url, fixtures, [{ name: 'audit', totalEpsilon: 10 }]);
  context.on('request', (r: Request) => requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() }));
});
after(async () => {
  await browser?.close();
  await collector?.close();
  await server?.close();
});

/** Every 64-byte window of `data`, as keys of a set. */
function windows(data: Buffer): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 64 <= data.length; i += 1) out.add(data.subarray(i, i + 64).toString('latin1'));
  return out;
}

test(
  'a full session sends only schema-valid reports to the endpoint: no pixels, ' + 'no image bytes, no clean features',
  async () => {
    const page = await openEnginePage(context, server.url, fixtures);
    await page.evaluate(() => (window as unknown as PageWindow).obscura.start({ backend: 'wasm' }));
    collector.faults.failNext = 1; // a retry belongs to the session too
    const options: ReleaseOptions = {
      scope: 'audit',
      mechanism: { name: 'privunit', epsilon: 1 },
      destination: `${collector.url}/reports`,
    };
    const files = ['skimage/chelsea.png', 'skimage/astronaut.png', 'generated/distinct-1.png'];
    const cleans: number[][] = [];
    for (const path of files) {
      const r = await page.evaluate(
        async ([p, o]) => {
          const ob = (window as unknown as PageWindow).obscura;
          return ob.releaseWithClean(await ob.fixture(p as string), o as ReleaseOptions);
        },
        [path, options] as const,
      );
      cleans.push(r.clean);
    }
    const camera = await page.evaluate(async (o) => {
      const ob = (window as unknown as PageWindow).obscura;
      const stream = await ob.openCamera();
      const video = document.getElementById('camera') as HTMLVideoElement;
      video.srcObject = stream;
      await video.play();
      const frame = await ob.snapshot(video);
      const r = await ob.releaseWithClean(frame, o as ReleaseOptions);
      ob.stopStream(stream);
      return r;
    }, options);
    cleans.push(camera.clean);
    // The retry falls due on the release worker's clock, moved forward instead of waited for.
    await page.evaluate(async () => {
      const ob = (window as unknown as PageWindow).obscura;
      for (let step = 0; step < 20; step++) {
        if ((await ob.releases().flushOutbox()).waiting === 0) return;
        await ob.releaseTest().advance(60_000);
      }
    });
    assert.equal((await collector.store.list('audit', 100)).length, 4);

    // The worker's own fetch of the model is seen, so worker traffic is in the record.
    assert.ok(
      requests.some((r) => r.url.includes('/models/mobilenet_v2/')),
      'worker requests are recorded',
    );

    const forbidden = new Set<string>();
    for (const path of files) {
      const bytes = await readFile(
        path.startsWith('skimage/') ? `${SKIMAGE_DIR}/${path.slice(8)}` : `${fixtures}/${path.slice(10)}`,
      );
      for (const w of windows(bytes)) forbidden.add(w);
      const { data } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      for (const w of windows(data)) forbidden.add(w);
      const seen = Buffer.from(
        await page.evaluate(([p]) => (window as unknown as PageWindow).obscura.workerPixels(p as string, 224), [
          path,
        ] as const),
        'base64',
      );
      for (const w of windows(seen)) forbidden.add(w);
    }
    const cleanValues = cleans
      .flat()
      .filter((x) => Math.abs(x) > 1e-4)
      .map((x) => String(x));

    let reports = 0;
    for (const r of requests) {
      const origin = new URL(r.url).origin;
      if (r.method === 'POST' || r.body) {
        assert.equal(r.url, `${collector.url}/reports`, `only the endpoint receives bodies: ${r.method} ${r.url}`);
        const text = r.body!.toString('utf8');
        assert.ok(isReport(JSON.parse(text)), `a schema-valid report: ${text.slice(0, 120)}`);
        for (let i = 0; i + 64 <= r.body!.length; i++)
          assert.ok(
            !forbidden.has(r.body!.subarray(i, i + 64).toString('latin1')),
            'a request body contains image bytes or pixels',
          );
        for (const v of cleanValues)
          assert.ok(!text.includes(v), `a request body contains the clean feature value ${v}`);
        reports++;
      } else if (r.method === 'OPTIONS') {
        assert.equal(r.url, `${collector.url}/reports`);
      } else if (r.method === 'GET' && r.url.startsWith(`${collector.url}/tasks/`)) {
        // The collector's public task for the scope, read before each release and send: a bare GET (a
        // request with a body was audited above).
        assert.equal(r.url, `${collector.url}/tasks/audit`);
      } else {
        assert.equal(r.method, 'GET');
        assert.equal(origin, server.url, `GETs are the app's own assets: ${r.url}`);
      }
    }
    assert.ok(reports >= 5, `4 reports and at least one retry were recorded (${reports})`);
    await page.close();
  },
);

test(
  'with the ledger unavailable, release is refused with a clear error, ' + 'nothing is sent, extraction still works',
  async () => {
    // A fresh profile whose ledger database was left at a newer version by "another app version": it cannot be opened.
    const isolated = await browser.newContext();
    isolated.on('request', (r: Request) =>
      requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() }),
    );
    const page = await openEnginePage(isolated, server.url, fixtures);
    await page.evaluate(
      () =>
        new Promise((resolve) => {
          const req = indexedDB.open('obscura-ledger', 99);
          req.onsuccess = () => {
            req.result.close();
            resolve(undefined);
          };
          req.onerror = () => resolve(undefined);
        }),
    );
    await page.evaluate(() => (window as unknown as PageWindow).obscura.start({ backend: 'wasm' }));
    const before = requests.filter((r) => r.method === 'POST').length;
    const result = await page.evaluate(
      async ([dest]) => {
        const ob = (window as unknown as PageWindow).obscura;
        const blob = await ob.fixture('skimage/coffee.png');
        const extraction = await ob.bridge().extract(blob);
        try {
          await ob.releases().release(extraction.contentHash, {
            scope: 'nostore',
            mechanism: { name: 'privunit', epsilon: 1 },
            destination: dest as string,
          });
          return { refused: 'no', message: '', extracted: extraction.vector.length };
        } catch (err) {
          return { refused: (err as Error).name, message: (err as Error).message, extracted: extraction.vector.length };
        }
      },
      [`${collector.url}/reports`] as const,
    );
    assert.equal(result.extracted, 96, 'extraction keeps working');
    assert.equal(result.refused, 'StorageUnavailableError', JSON.stringify(result));
    assert.match(result.message, /ledger/);
    // The sender is the only code that sends, and it cannot run without the ledger either.
    const flush = await page.evaluate(() =>
      (window as unknown as PageWindow).obscura
        .releases()
        .flushOutbox()
        .then(
          () => 'flushed',
          (err: Error) => err.name,
        ),
    );
    assert.equal(flush, 'StorageUnavailableError');
    assert.equal(requests.filter((r) => r.method === 'POST').length, before, 'nothing was sent');
    await isolated.close();
  },
);
