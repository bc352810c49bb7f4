// The npm start launcher: when it rebuilds, and that the app it serves can reach the
// collector it starts (CSP, /config.json and CORS agree).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, needsBuild } from '../../../scripts/start';
import { postReport, releasedReport } from '../collector/support';
import { collectorTemplate } from '../../support/pglite-template';

test('dist/ is rebuilt when missing or older than any source', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-start-'));
  const [src, dist] = [join(dir, 'src'), join(dir, 'dist')];
  await mkdir(join(src, 'app'), { recursive: true });
  await writeFile(join(src, 'app', 'a.ts'), '');
  const sources = [src, join(dir, 'index.html')]; // index.html missing: ignored
  assert.equal(needsBuild(dist, sources), true, 'no dist/');
  await mkdir(dist);
  await writeFile(join(dist, 'index.html'), '');
  const t = Date.now() / 1000;
  await utimes(join(src, 'app', 'a.ts'), t - 100, t - 100);
  await utimes(join(dist, 'index.html'), t - 50, t - 50);
  assert.equal(needsBuild(dist, sources), false, 'dist/ is newer');
  await utimes(join(src, 'app', 'a.ts'), t, t);
  assert.equal(needsBuild(dist, sources), true, 'a nested source changed');
  await rm(dir, { recursive: true, force: true });
});

test('the app is told the collector endpoint, may connect to it, and the collector accepts its origin', async () => {
  const root = await mkdtemp(join(tmpdir(), 'obscura-dist-'));
  await writeFile(join(root, 'index.html'), '<!doctype html>');
  const app = await launch({
    root,
    port: 0,
    collectorPort: 0,
    inMemory: true,
    pgliteTemplate: await collectorTemplate(),
  });
  try {
    assert.match(app.appUrl, /^http:\/\/localhost:\d+$/);
    const page = await fetch(`${app.appUrl.replace('localhost', '127.0.0.1')}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    const { collectorUrl } = (await (
      await fetch(`${app.appUrl.replace('localhost', '127.0.0.1')}/config.json`)
    ).json()) as { collectorUrl: string };
    assert.equal(collectorUrl, `${app.collectorUrl}/reports`);
    assert.ok(csp.includes(`connect-src 'self' ${new URL(collectorUrl).origin}`), csp);
    for (const origin of [app.appUrl, app.appUrl.replace('localhost', '127.0.0.1')]) {
      const res = await postReport(app.collectorUrl, releasedReport('default'), { origin });
      assert.equal(res.status, 201, origin);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
    }
    assert.equal(
      (await postReport(app.collectorUrl, releasedReport('default'), { origin: 'http://localhost:1' })).status,
      403,
    );
  } finally {
    await app.close();
    await rm(root, { recursive: true, force: true });
  }
});

test('an external collector replaces the embedded one', async () => {
  const root = await mkdtemp(join(tmpdir(), 'obscura-dist-'));
  await writeFile(join(root, 'index.html'), '<!doctype html>');
  const app = await launch({ root, port: 0, collectorUrl: 'https://collector.example/api' });
  try {
    assert.equal(app.collector, undefined);
    const res = await fetch(`${app.appUrl.replace('localhost', '127.0.0.1')}/config.json`);
    assert.deepEqual(await res.json(), {
      collectorUrl: 'https://collector.example/api/reports',
      widgetEndpoints: ['https://collector.example'],
    });
  } finally {
    await app.close();
    await rm(root, { recursive: true, force: true });
  }
});
