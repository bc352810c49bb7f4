// What lets a host page on another origin embed the widget, and what keeps every other
// page of the app out of frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameAncestorsOf, startStaticServer } from '../../../scripts/static-server';

async function serve(widgetAncestors?: string[]) {
  const root = await mkdtemp(join(tmpdir(), 'obscura-widget-dist-'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(root, 'widget.html'), '<!doctype html><title>widget</title>');
  await writeFile(join(root, 'widget.js'), '(function(){})()');
  const server = await startStaticServer({
    root,
    collectorUrl: 'http://127.0.0.1:5999',
    ...(widgetAncestors ? { widgetAncestors } : {}),
  });
  return {
    get: (path: string) => fetch(`${server.url}${path}`),
    close: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

const frameAncestors = (csp: string | null) => /frame-ancestors ([^;]+)/.exec(csp ?? '')?.[1];

test('by default any origin may frame the widget page; the app itself stays unframeable by others', async () => {
  const s = await serve();
  try {
    const widget = await s.get('/widget.html');
    assert.equal(frameAncestors(widget.headers.get('content-security-policy')), '*');
    assert.equal(widget.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const app = await s.get('/');
    assert.equal(frameAncestors(app.headers.get('content-security-policy')), "'self'");
    assert.equal(app.headers.get('cross-origin-resource-policy'), 'same-origin');
    const loader = await s.get('/widget.js');
    assert.equal(loader.headers.get('access-control-allow-origin'), '*');
    assert.equal(loader.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.match(loader.headers.get('content-type') ?? '', /javascript/);
  } finally {
    await s.close();
  }
});

test('an allow-list limits frame-ancestors to the listed origins', async () => {
  const s = await serve(['https://news.example/path', 'http://127.0.0.1:4000']);
  try {
    const widget = await s.get('/widget.html');
    assert.equal(
      frameAncestors(widget.headers.get('content-security-policy')),
      'https://news.example http://127.0.0.1:4000',
    );
  } finally {
    await s.close();
  }
  assert.equal(frameAncestorsOf(['*']), '*');
  assert.equal(frameAncestorsOf([]), '*');
  assert.throws(() => frameAncestorsOf(['not a url']));
});

test('widget endpoints: listed in /config.json and allowed by the widget page alone', async () => {
  const root = await mkdtemp(join(tmpdir(), 'obscura-widget-dist-'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(root, 'widget.html'), '<!doctype html><title>widget</title>');
  const server = await startStaticServer({
    root,
    collectorUrl: 'http://127.0.0.1:5999',
    widgetEndpoints: ['https://collect.example/reports'],
  });
  const connect = (csp: string | null) => /connect-src ([^;]+)/.exec(csp ?? '')?.[1];
  try {
    const config = (await (await fetch(`${server.url}/config.json`)).json()) as { widgetEndpoints: string[] };
    assert.deepEqual(config.widgetEndpoints, ['http://127.0.0.1:5999', 'https://collect.example']);
    const widget = await fetch(`${server.url}/widget.html`);
    assert.equal(
      connect(widget.headers.get('content-security-policy')),
      "'self' http://127.0.0.1:5999 https://collect.example",
    );
    const app = await fetch(`${server.url}/`);
    assert.equal(connect(app.headers.get('content-security-policy')), "'self' http://127.0.0.1:5999");
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
});
