// The embeddable widget on the production build: a host page on another origin embeds it with
// one script tag; the host hears only reports and budget state, and cannot read, release or spend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { settled } from './support/frame-settled';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { embeddingPage, startHostSite } from './support/host-page';
import { armedClick } from './support/armed-click';
import { clickUntilDelivered, decoyDoubleClick, moveWidget, releaseButtonCentre } from './support/pointer-attacks';
import { hostEvents, waitForHostEvents, type HostEvent } from './support/host-events';
import { SKIMAGE_DIR } from '../support/data-paths';
import { isReport } from '../support/is-report';
import { hostScopeName } from '../../src/widget/frame/host-scope';

type Site = Awaited<ReturnType<typeof startHostSite>>;

let server: Awaited<ReturnType<typeof startAppServer>>;
let host: Site;
let secondHost: Site;
let third: Site;
let labelsSite: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let frame: Frame;

const FORGE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Third</title></head><body>
<script>
  // Posts forged protocol messages to every other frame of the page that embeds this one.
  window.forge = (messages) => {
    let sent = 0;
    for (let i = 0; i < parent.frames.length; i++) {
      if (parent.frames[i] === window) continue;
      for (const m of messages) parent.frames[i].postMessage(m, '*');
      sent++;
    }
    return sent;
  };
</script></body></html>`;

before(async () => {
  // The host sites first: the collector declares their scopes (the pages are made at the first request).
  let endpoint = '';
  third = await startHostSite(() => ({ '/forge.html': FORGE_PAGE }));
  labelsSite = await startHostSite(() => ({
    '/': embeddingPage(
      server.url,
      `scope="labels" mechanism="krr" codebook="fashion-10" epsilon="1" endpoint="${endpoint}"`,
    ),
    '/no-codebook.html': embeddingPage(server.url, 'scope="labels" mechanism="oue"'),
  }));
  host = await startHostSite((url) => ({
    // ε 0.5 a release: the releases of every test below fit the site's one grant of ε 4.
    '/': embeddingPage(server.url, `scope="shop" epsilon="0.5" endpoint="${endpoint}"`),
    // The widget page framed directly (no loader), beside a frame from a third origin that can reach it.
    '/direct.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Direct</title></head><body>
<iframe title="w" style="width:600px;height:600px"
  src="${server.url}/widget.html?host=${encodeURIComponent(url)}"></iframe>
<iframe title="third" src="${third.url}/forge.html"></iframe></body></html>`,
    '/liar.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Liar</title></head><body>
<iframe title="w"
  src="${server.url}/widget.html?host=${encodeURIComponent('https://bank.example')}"></iframe></body></html>`,
  }));
  server = await startAppServer({
    tasks: [
      { scope: hostScopeName(host.url, 'shop'), mechanism: 'privunit', epsilon: 0.5 },
      { scope: hostScopeName(labelsSite.url, 'labels'), mechanism: 'krr', epsilon: 1, codebook: 'fashion-10' },
    ],
  });
  endpoint = `${server.collector.url}/reports`;
  secondHost = await startHostSite(() => ({ '/': embeddingPage(server.url, 'scope="shop" epsilon="1"') }));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  page = await context.newPage();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await host?.close();
  await secondHost?.close();
  await third?.close();
  await labelsSite?.close();
});

const events = hostEvents;
const waitForEvents = waitForHostEvents;

async function widgetFrame(p: Page): Promise<Frame> {
  await waitForEvents(p, 'obscura-ready', 1);
  const found = p.frames().find((f) => f.url().startsWith(`${server.url}/widget.html`));
  assert.ok(found, 'the widget iframe is in the page');
  return found;
}

test('the loader is small: its gzip size is measured', async () => {
  const body = Buffer.from(await (await fetch(`${server.url}/widget.js`)).arrayBuffer());
  const gzip = gzipSync(body, { level: 9 }).length;
  console.log(`widget.js: ${body.length} bytes, ${gzip} bytes gzip`);
  assert.ok(body.length > 500, 'the loader was served');
  assert.ok(gzip <= 5 * 1024, `widget.js is ${gzip} bytes gzip, over 5 KB`);
});

test('a host page on another origin embeds the widget and cannot read its document', async () => {
  await page.goto(host.url);
  frame = await widgetFrame(page);
  assert.deepEqual((await events(page, 'obscura-ready'))[0]!.detail, { hostOrigin: host.url });
  // The element's shadow root is closed; a reference taken around it is still another origin.
  const iframe = await frame.frameElement();
  const attempt = await page.evaluate((el) => {
    const f = el as HTMLIFrameElement;
    let error = '';
    try {
      void f.contentWindow!.document.body;
    } catch (err) {
      error = (err as Error).name;
    }
    return { contentDocument: f.contentDocument, error };
  }, iframe);
  assert.deepEqual(attempt, { contentDocument: null, error: 'SecurityError' });
  const fromHost = await page.evaluate(() => document.querySelector('obscura-extractor')!.shadowRoot);
  assert.equal(fromHost, null);
  // The person sees who embeds the widget before granting anything.
  assert.equal(await frame.getByTestId('host-origin').innerText(), host.url);
  await armedClick(frame, 'allow-host');
  const [budget] = await waitForEvents(page, 'obscura-budget', 1);
  assert.deepEqual(budget!.detail, {
    scope: hostScopeName(host.url, 'shop'),
    total: 4,
    remaining: 4,
    spent: 0,
    releases: 0,
  });
});

test('a visitor who never reaches for the widget fetches no engine; a pointer over it starts one', async () => {
  // The host was allowed above: this page's frame connects, and shows the budget and the picker at once. Only
  // this page's requests count (its frame's and its workers'): the frame on the page above has its engine.
  const visit = await context.newPage();
  const engineFetches: string[] = [];
  const isEngine = (url: string) =>
    /\/assets\/engine\.worker-[^/]*\.js$|\/models\/|\.wasm$/.test(new URL(url).pathname);
  const heard = (request: { url(): string }) => void (isEngine(request.url()) && engineFetches.push(request.url()));
  visit.on('request', heard);
  try {
    await visit.goto(host.url);
    const f = await widgetFrame(visit);
    await waitForEvents(visit, 'obscura-budget', 1);
    await f.locator('#pick-images').waitFor({ state: 'attached' });
    // The frame's own start has settled (a frame painted after the budget arrived): nothing of the engine left.
    await settled(f);
    assert.deepEqual(engineFetches, [], 'the engine was fetched before anyone reached for the widget');
    const started = visit.waitForEvent('request', {
      predicate: (r) => /\/assets\/engine\.worker-[^/]*\.js$/.test(new URL(r.url()).pathname),
      timeout: 30_000,
    });
    await visit.bringToFront();
    await f.getByTestId('remaining').hover();
    await started;
  } finally {
    visit.off('request', heard);
    await visit.close();
    await page.bringToFront();
  }
});

test('forged release and budget messages from the host are ignored', async () => {
  const forged = [
    { protocol: 'obscura-widget', v: 1, type: 'release' },
    { protocol: 'obscura-widget', v: 1, type: 'budget', budget: { scope: 'x', total: 100, remaining: 100 } },
    { protocol: 'obscura-widget', v: 1, type: 'grant', epsilon: 100 },
    { protocol: 'obscura-widget', v: 1, type: 'configure', config: { autoRelease: true } },
    { protocol: 'obscura-widget', v: 2, type: 'configure', config: { epsilon: 0.25 } },
  ];
  const iframe = await frame.frameElement();
  await page.evaluate(
    ([el, messages]) => {
      for (const m of messages as unknown[]) (el as HTMLIFrameElement).contentWindow!.postMessage(m, '*');
    },
    [iframe, forged] as const,
  );
  // A valid configure after them (same order of delivery): the frame answers with its budget.
  const before = (await events(page, 'obscura-budget')).length;
  await page.evaluate(() => document.querySelector('obscura-extractor')!.setAttribute('theme', 'light'));
  const budgets = await waitForEvents(page, 'obscura-budget', before + 1);
  assert.deepEqual(budgets.at(-1)!.detail, {
    scope: hostScopeName(host.url, 'shop'),
    total: 4,
    remaining: 4,
    spent: 0,
    releases: 0,
  });
  assert.equal((await events(page, 'obscura-report')).length, 0);
  assert.equal(await server.collector.store.count(), 0);
  // The host's ε (0.5) stands; a configure the schema refuses is answered with an error, not obeyed.
  assert.match(await frame.getByTestId('epsilon').innerText(), /ε 0\.5$/);
  const errors = await events(page, 'obscura-error');
  assert.ok(
    errors.some((e) => e.detail['name'] === 'InvalidParameterError'),
    JSON.stringify(errors),
  );
});

test('messages from a third origin are ignored, configure included', async () => {
  const direct = await context.newPage();
  await direct.goto(`${host.url}/direct.html`);
  const widget = direct.frames().find((f) => f.url().startsWith(`${server.url}/widget.html`))!;
  const forger = direct.frames().find((f) => f.url().startsWith(third.url))!;
  await widget.getByTestId('epsilon').waitFor({ timeout: 30_000 });
  await direct.evaluate((origin) => {
    const config = { epsilon: 1, scope: 'shop' };
    window.frames[0]!.postMessage({ protocol: 'obscura-widget', v: 1, type: 'configure', config }, origin);
  }, server.url);
  await widget.getByTestId('epsilon').getByText('ε 1').waitFor();
  const forged = [
    { protocol: 'obscura-widget', v: 1, type: 'configure', config: { epsilon: 0.25, scope: 'other' } },
    { protocol: 'obscura-widget', v: 1, type: 'release' },
    { protocol: 'obscura-widget', v: 1, type: 'grant', epsilon: 100 },
  ];
  const reached = await forger.evaluate(`window.forge(${JSON.stringify(forged)})`);
  assert.equal(reached, 1, 'the third origin reached the widget frame');
  await settled(widget);
  assert.match(await widget.getByTestId('epsilon').innerText(), /ε 1$/);
  const budget = await widget.getByTestId('remaining').innerText();
  assert.match(budget, /of 4\)/);
  await direct.close();
  await page.bringToFront();
});

test('a file chosen in the widget gives the host an obscura-report equal to what the collector stored', async () => {
  // Before the click the frame states the release's local guarantee, as the release worker computes it.
  await frame.getByTestId('local-guarantee-before').waitFor();
  assert.match(
    await frame.getByTestId('local-guarantee-before').innerText(),
    new RegExp(
      '^What one release can reveal about the image, even if everyone who receives it works together: ' +
        'local ε 0\\.500 per release\\.$',
    ),
  );
  await frame.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
  await armedClick(frame, 'release');
  const [report] = await waitForEvents(page, 'obscura-report', 1);
  const detail = report!.detail;
  assert.ok(isReport(detail));
  // The host's ε (0.5), not the third origin's forged 0.25, nor the person's 2.
  assert.equal((detail as { mechanism: { epsilon: number } }).mechanism.epsilon, 0.5);
  // The ledger inside the frame shows it delivered once the collector stored it.
  await frame.locator('summary', { hasText: 'what this site received' }).click();
  const state = frame.getByTestId('state').first();
  await state.getByText(/delivered|rejected/).waitFor({ timeout: 30_000 });
  assert.match(await state.innerText(), /^delivered/);
  assert.deepEqual((await server.collector.store.list(hostScopeName(host.url, 'shop'), 10))[0], detail);
  const budgets = await waitForEvents(page, 'obscura-budget', 1);
  assert.equal(budgets.at(-1)!.detail['spent'], 0.5);
});

test('a click that passes through an overlay covering the widget is ignored', async () => {
  await frame.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/coffee.png`);
  await frame.locator('[data-testid="release"]:not([disabled])').first().hover({ timeout: 30_000 });
  await frame.locator('[data-testid="release"]:not([disabled])[data-armed="true"]').waitFor({ timeout: 30_000 });
  await page.evaluate(() => {
    const cover = document.createElement('div');
    cover.id = 'decoy';
    cover.textContent = 'Click to win';
    cover.setAttribute(
      'style',
      'position:fixed;inset:0;pointer-events:none;background:rgba(255,255,255,0.9);font-size:3rem;z-index:9',
    );
    document.body.append(cover);
  });
  const button = frame.locator('[data-testid="release"]:not([disabled])').first();
  await frame
    .locator('[data-testid="release"]:not([disabled])[data-armed="false"]')
    .first()
    .waitFor({ timeout: 10_000 });
  await button.click();
  await frame.getByTestId('release-refused').waitFor({ timeout: 10_000 });
  assert.match(await frame.getByTestId('release-refused').innerText(), /ignored/);
  assert.equal((await events(page, 'obscura-report')).length, 1);
  await page.evaluate(() => document.getElementById('decoy')!.remove());
  await armedClick(frame, 'release');
  await waitForEvents(page, 'obscura-report', 2);
});

test('a widget slid under the pointer between the two clicks of a decoy double-click is ignored', async () => {
  const reports = (await events(page, 'obscura-report')).length;
  await frame.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/astronaut.png`);
  const { landed, reason } = await decoyDoubleClick(page, frame);
  console.log(`decoy double-click: the second click reached the frame ${landed} ms after the move: ${reason}`);
  assert.match(reason, /ignored: the (widget moved just before the click|pointer had only just arrived)/);
  await settled(frame);
  assert.equal((await events(page, 'obscura-report')).length, reports);
});

test('a widget moved under a resting pointer is ignored until it has stayed still for the arming delay', async () => {
  const reports = (await events(page, 'obscura-report')).length;
  await frame.locator('[data-testid="release"]:not([disabled])').first().hover();
  await frame.locator('[data-testid="release"]:not([disabled])[data-armed="true"]').waitFor({ timeout: 10_000 });
  const before = await releaseButtonCentre(frame);
  // A small shift: the pointer stays inside the frame, and on the same button.
  const movedAt = Date.now();
  await moveWidget(page, 'display:block;position:relative;left:24px;top:6px;width:560px');
  const after = await releaseButtonCentre(frame);
  assert.ok(Math.abs(after.x - before.x) > 10, 'the widget moved');
  const landed = await clickUntilDelivered(page, frame, before, movedAt);
  const refused = frame.getByTestId('release-refused');
  await refused.getByText(/the widget moved just before the click/).waitFor({ timeout: 10_000 });
  console.log(`moved under a resting pointer: the click reached the frame ${landed} ms after the move, refused`);
  assert.equal((await events(page, 'obscura-report')).length, reports);
  // Still, and the pointer resting on it: the next click counts.
  await armedClick(frame, 'release');
  await waitForEvents(page, 'obscura-report', reports + 1);
  await moveWidget(page, '');
});

test('another origin of the same host site finds the same grant, already partly spent: no second consent', async () => {
  const first = (await events(page, 'obscura-budget')).at(-1)!.detail;
  assert.ok((first['spent'] as number) > 0, 'the first origin has released');
  const second = await context.newPage();
  await second.goto(secondHost.url);
  const f = await widgetFrame(second);
  const scope = hostScopeName(secondHost.url, 'shop');
  // The first budget may come before the host's configuration names its scope.
  await second.waitForFunction(
    (s) => (window as unknown as { events: HostEvent[] }).events.some((e) => e.detail['scope'] === s),
    scope,
  );
  const budget = (await events(second, 'obscura-budget')).find((e) => e.detail['scope'] === scope);
  assert.deepEqual(budget!.detail, {
    scope: hostScopeName(secondHost.url, 'shop'),
    total: 4,
    remaining: first['remaining'],
    spent: first['spent'],
    releases: first['releases'],
  });
  assert.equal(await f.getByTestId('allow-host').count(), 0, 'no second consent is asked for');
  // Without an endpoint, the report goes to the host page only, and the ledger says so.
  const stored = await server.collector.store.count();
  await f.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/astronaut.png`);
  await armedClick(f, 'release');
  const [report] = await waitForEvents(second, 'obscura-report', 1);
  assert.equal((report!.detail as { scope: string }).scope, hostScopeName(secondHost.url, 'shop'));
  await f.locator('summary', { hasText: 'what this site received' }).click();
  const rows = f.getByTestId('ledger-row');
  await rows.nth(first['releases'] as number).waitFor();
  assert.equal(await rows.count(), (first['releases'] as number) + 1);
  assert.match(await rows.first().innerText(), new RegExp(`host page ${secondHost.url}`));
  assert.equal(await server.collector.store.count(), stored);
  await second.close();
});

test('krr over a codebook gives the host the randomized label the collector stored; errors name no file', async () => {
  const site = labelsSite;
  // Another device (a fresh profile): this 127.0.0.1 site has no grant there yet.
  const device = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  const p = await device.newPage();
  try {
    await p.goto(site.url);
    const f = await widgetFrame(p);
    await armedClick(f, 'allow-host');
    await waitForEvents(p, 'obscura-budget', 1);
    // A broken JPEG: the host hears that it was damaged, not which file it was.
    await f.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/truncated.jpg`);
    const [decode] = await waitForEvents(p, 'obscura-error', 1);
    assert.equal(decode!.detail['name'], 'DecodeError');
    assert.doesNotMatch(JSON.stringify(decode!.detail), /truncated|jpe?g|\d/i);
    await f.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
    await armedClick(f, 'release');
    const [report] = await waitForEvents(p, 'obscura-report', 1);
    const detail = report!.detail as {
      mechanism: { name: string; epsilon: number };
      category: { codebook: string; k: number; value: number };
    };
    assert.ok(isReport(detail));
    assert.deepEqual([detail.mechanism.name, detail.mechanism.epsilon], ['krr', 1]);
    const { codebook, k, value } = detail.category;
    assert.equal(k, 10);
    assert.ok(Number.isInteger(value) && value >= 0 && value < k);
    assert.match(codebook, /fashion-10/);
    // Delivered to the collector, which checks the codebook against its own copy.
    await f.locator('summary', { hasText: 'what this site received' }).click();
    await f
      .getByTestId('state')
      .first()
      .getByText(/delivered|rejected/)
      .waitFor({ timeout: 30_000 });
    assert.match(await f.getByTestId('state').first().innerText(), /^delivered/);
    assert.deepEqual((await server.collector.store.list(hostScopeName(site.url, 'labels'), 10))[0], detail);

    // Without a codebook, krr/oue is refused, and the host is told which of its attributes is wrong.
    await p.goto(`${site.url}/no-codebook.html`);
    const g = await widgetFrame(p);
    await g.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
    await armedClick(g, 'release');
    const [missing] = await waitForEvents(p, 'obscura-error', 1);
    assert.deepEqual(missing!.detail, {
      name: 'InvalidParameterError',
      message: "the widget's codebook attribute cannot be used here",
    });
    assert.equal((await events(p, 'obscura-report')).length, 0);
  } finally {
    await device.close();
  }
});

test('a frame whose claimed host differs from its real parent refuses to run', async () => {
  const liar = await context.newPage();
  await liar.goto(`${host.url}/liar.html`);
  const f = liar.frames().find((x) => x.url().startsWith(`${server.url}/widget.html`))!;
  await f.getByTestId('widget-refused').waitFor({ timeout: 30_000 });
  assert.match(await f.getByTestId('widget-refused').innerText(), /bank\.example.*refused/);
  await liar.close();
});
