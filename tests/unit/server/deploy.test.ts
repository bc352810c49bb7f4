// npm start deployed on a public origin: the collector accepts that origin and its name, reads
// need the token, the widget page names its framers, and both servers speak HTTPS with the
// certificate given. Real servers on free ports; the last test runs scripts/start.ts itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatCodebook, sealCodebook } from '../../../src/codebook/load-codebook';
import { launch, type Launched } from '../../../scripts/start';
import { readTlsCredentials } from '../../../server-kit/tls';
import { categoryTask, krrReport, laplaceTask, vectorReport } from '../collector/support';
import { writeTasksFile } from '../../support/collector-process';
import { call, makeCertificate, type Certificate } from './deploy-support';
import { collectorTemplate } from '../../support/pglite-template';

const PUBLIC = 'https://obscura.example';
let dir: string;
let root: string;
let codebooks: string;
let cert: Certificate;
/** What the embedded collector declares: the scopes these tests post to (the codebook's only with --codebooks). */
let vectorTasks: string;
let allTasks: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obscura-deploy-'));
  root = join(dir, 'dist');
  codebooks = join(dir, 'codebooks');
  await mkdir(root);
  await mkdir(codebooks);
  await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(root, 'widget.html'), '<!doctype html><title>widget</title>');
  const shirts = await sealCodebook({
    v: 1,
    id: 'shirts-2',
    model: { id: 'mobilenet_v2', layer: 'global_average_pooling2d', dims: 4 },
    labels: ['plain', 'striped'],
    input: 'l2-normalized',
    classifier: {
      kind: 'nearest-centroid',
      centroids: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
      ],
    },
  });
  await writeFile(join(codebooks, 'shirts-2.json'), formatCodebook(shirts));
  cert = await makeCertificate(dir);
  const vector = [laplaceTask('deploy'), laplaceTask('tls')];
  vectorTasks = writeTasksFile(vector);
  allTasks = writeTasksFile([
    ...vector,
    categoryTask('shirts', 'krr', 1, 2, 'shirts-2'),
    categoryTask('cli', 'krr', 1, 2, 'shirts-2'),
  ]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The embedded collector's own address on this machine (the app is told the public one). */
const localCollector = (app: Launched) => app.collector!.url;

function post(base: string, body: unknown, origin: string, ca?: Buffer) {
  return call(`${base}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify(body),
    ...(ca ? { ca } : {}),
  });
}

test('--public-url: the collector takes that origin, under its name; other origins are refused', async () => {
  const app = await launch({
    root,
    port: 0,
    collectorPort: 0,
    inMemory: true,
    pgliteTemplate: await collectorTemplate(),
    publicUrl: `${PUBLIC}/`,
    tasks: vectorTasks,
  });
  try {
    assert.equal(app.appUrl, PUBLIC);
    assert.match(app.localUrl, /^http:\/\/localhost:\d+$/);
    const port = app.collector!.port;
    const config = JSON.parse((await call(`${app.localUrl}/config.json`)).body) as { collectorUrl: string };
    assert.equal(config.collectorUrl, `${PUBLIC}:${port}/reports`);
    assert.equal(app.collectorUrl, `${PUBLIC}:${port}`);
    const csp = String((await call(`${app.localUrl}/`)).headers['content-security-policy']);
    assert.ok(csp.includes(`connect-src 'self' ${PUBLIC}:${port}`), csp);

    const preflight = (origin: string) =>
      call(`${localCollector(app)}/reports`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight(PUBLIC);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers['access-control-allow-origin'], PUBLIC);
    const refused = await preflight('https://elsewhere.example');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers['access-control-allow-origin'], undefined);

    const stored = await post(localCollector(app), vectorReport([1, 2, 3, 4], 'deploy'), PUBLIC);
    assert.equal(stored.status, 201, stored.body);
    assert.equal(stored.headers['access-control-allow-origin'], PUBLIC);
    assert.equal(
      (await post(localCollector(app), vectorReport([1, 2, 3, 4], 'deploy'), 'https://x.example')).status,
      403,
    );
    assert.equal((await post(localCollector(app), vectorReport([1, 2, 3, 4], 'deploy'), app.localUrl)).status, 201);
    assert.equal(await app.collector!.count('deploy'), 2);

    // Reads addressed to the public name are answered; to a name that is not the collector's, refused.
    const read = (host: string) => call(`${localCollector(app)}/aggregates`, { headers: { host } });
    assert.equal((await read(`obscura.example:${port}`)).status, 200);
    assert.equal((await read(`rebound.example:${port}`)).status, 403);
  } finally {
    await app.close();
  }
});

test('--read-token locks the reads, not the reports; --codebooks chooses the codebooks taken', async () => {
  const app = await launch({
    root,
    port: 0,
    collectorPort: 0,
    inMemory: true,
    pgliteTemplate: await collectorTemplate(),
    readToken: 'r3ad',
    codebooks,
    tasks: allTasks,
  });
  try {
    const base = localCollector(app);
    assert.equal((await post(base, krrReport(1, 2, 1, 'shirts', 'shirts-2'), app.localUrl)).status, 201);
    const other = await post(base, krrReport(1, 10, 1, 'shirts', 'fmnist-10'), app.localUrl);
    // A codebook outside --codebooks cannot even be declared (the tasks file would stop the start), so its
    // reports meet a task that names another codebook.
    assert.equal(other.status, 400, 'a codebook outside --codebooks is refused');
    assert.match(other.body, /TaskMismatchError/);
    assert.match(other.body, /codebook/);
    for (const path of ['/reports', '/aggregates']) {
      assert.equal((await call(`${base}${path}`)).status, 401, path);
      assert.equal((await call(`${base}${path}`, { headers: { authorization: 'Bearer wrong' } })).status, 401, path);
      assert.equal((await call(`${base}${path}`, { headers: { authorization: 'Bearer r3ad' } })).status, 200, path);
    }
  } finally {
    await app.close();
  }
});

test("--frame-ancestors sets the widget page's CSP frame-ancestors and nothing else's", async () => {
  const app = await launch({
    root,
    port: 0,
    collectorPort: 0,
    inMemory: true,
    pgliteTemplate: await collectorTemplate(),
    widgetAncestors: ['https://shop.example', 'https://blog.example/any/path'],
  });
  try {
    const ancestors = async (path: string) =>
      /frame-ancestors ([^;]+)/.exec(
        String((await call(`${app.localUrl}${path}`)).headers['content-security-policy']),
      )?.[1];
    assert.equal(await ancestors('/widget.html'), 'https://shop.example https://blog.example');
    assert.equal(await ancestors('/'), "'self'");
  } finally {
    await app.close();
  }
});

test('--tls-cert and --tls-key: the app and the collector answer over HTTPS with that certificate', async () => {
  const tls = await readTlsCredentials(cert.certFile, cert.keyFile);
  const app = await launch({
    root,
    port: 0,
    collectorPort: 0,
    inMemory: true,
    pgliteTemplate: await collectorTemplate(),
    tls,
    tasks: vectorTasks,
  });
  try {
    assert.match(app.appUrl, /^https:\/\/localhost:\d+$/);
    assert.match(app.collectorUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    const page = await call(`${app.appUrl}/`, { ca: cert.ca });
    assert.equal(page.status, 200);
    assert.equal(page.peerName, 'localhost');
    assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
    const config = JSON.parse((await call(`${app.appUrl}/config.json`, { ca: cert.ca })).body) as {
      collectorUrl: string;
    };
    assert.equal(config.collectorUrl, `${app.collectorUrl}/reports`);
    for (const origin of [app.appUrl, app.appUrl.replace('localhost', '127.0.0.1')]) {
      const stored = await post(app.collectorUrl, vectorReport([1, 2, 3, 4], 'tls'), origin, cert.ca);
      assert.equal(stored.status, 201, stored.body);
      assert.equal(stored.peerName, 'localhost');
      assert.equal(stored.headers['access-control-allow-origin'], origin);
    }
    assert.equal(
      (await post(app.collectorUrl, vectorReport([1, 2, 3, 4], 'tls'), app.appUrl.replace('https', 'http'), cert.ca))
        .status,
      403,
      'the http origin of the same port is not the app',
    );
    await assert.rejects(call(`${app.appUrl}/`), 'a client that does not trust the certificate is refused');
  } finally {
    await app.close();
  }
});

test('npm start with every deployment flag: prints the public URL and serves what it announces', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/start.ts',
      '--skip-build',
      '--memory',
      '--port',
      '0',
      '--collector-port',
      '0',
      '--host',
      '127.0.0.1',
      '--public-url',
      'https://localhost',
      '--tls-cert',
      cert.certFile,
      '--tls-key',
      cert.keyFile,
      '--frame-ancestors',
      'https://shop.example,https://blog.example',
      '--read-token',
      'cli-token',
      '--codebooks',
      codebooks,
      '--tasks',
      allTasks,
    ],
    { cwd: resolve(import.meta.dirname, '../../..'), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = once(child, 'exit') as Promise<[number | null]>;
  try {
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const banner = new Promise<RegExpExecArray>((resolveBanner, reject) => {
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const m = /Obscura: (\S+) +\(served here at (\S+); reports go to (\S+)\/reports/.exec(stderr);
        if (m) resolveBanner(m);
      });
      void exited.then(([code]) => reject(new Error(`start exited ${code}: ${stderr}`)));
    });
    const [, appUrl, localUrl, collectorUrl] = await banner;
    assert.equal(appUrl, 'https://localhost');
    assert.match(localUrl!, /^https:\/\/localhost:\d+$/);
    assert.match(collectorUrl!, /^https:\/\/localhost:\d+$/);
    const config = JSON.parse((await call(`${localUrl}/config.json`, { ca: cert.ca })).body) as {
      collectorUrl: string;
    };
    assert.equal(config.collectorUrl, `${collectorUrl}/reports`);
    const stored = await post(collectorUrl!, krrReport(0, 2, 1, 'cli', 'shirts-2'), 'https://localhost', cert.ca);
    assert.equal(stored.status, 201, stored.body);
    assert.equal(stored.headers['access-control-allow-origin'], 'https://localhost');
    assert.equal((await call(`${collectorUrl}/reports`, { ca: cert.ca })).status, 401);
    const withToken = await call(`${collectorUrl}/reports?scope=cli`, {
      ca: cert.ca,
      headers: { authorization: 'Bearer cli-token' },
    });
    assert.equal(withToken.status, 200);
    assert.match(withToken.body, /shirts-2/);
  } finally {
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, 'SIGTERM stops it cleanly');
  }
});
