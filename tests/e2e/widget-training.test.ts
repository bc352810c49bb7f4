// The widget's training label where real hosts put it: a host page on another site (127.0.0.2)
// beside the app on localhost, third-party storage partitioning on, storage access granted through
// CDP. The host names a training task and suggests a label; the person confirms it inside the frame,
// and the example lands in the app origin's first-party store, the one the app's training panel reads.
// Nothing the host sends keeps an example or picks another label, and the host hears nothing of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { settled } from './support/frame-settled';
import { startAppServer } from './support/app-server';
import { embeddingPage, startHostSite } from './support/host-page';
import { armedClick } from './support/armed-click';
import { hostEvents, waitForHostEvents } from './support/host-events';
import { launchPartitioned, type PartitionedBrowser } from './support/cross-site';
import { SKIMAGE_DIR } from '../support/data-paths';
import { hostScopeName } from '../../src/widget/frame/host-scope';
import { TRAIN_EXAMPLES_DB } from '../../src/ledger/train-examples';
import { OTHER_MESSAGE_REFUSAL } from '../../src/widget/frame/host-link';
import { MOBILENET_V2 } from '../../src/engine/model/registry';

const LABELS = ['Sneaker', 'Bag', 'Trouser'];
const TASK = {
  kind: 'train' as const,
  scope: 'parcels',
  codebook: 'parcels',
  labels: LABELS,
  model: { id: MOBILENET_V2.id, layer: MOBILENET_V2.defaultLayer, dims: 96 },
  clip: 1,
  rounds: 2,
  roundSeconds: 3600,
  noise: { epsilon: 2, delta: 1e-8 },
  nMin: 3,
  // Never reached here: keeping an example sends nothing.
  aggregators: { leader: 'http://127.0.0.1:1', helper: 'http://127.0.0.2:1' },
};

interface Kept {
  collector: string;
  task: string;
  label: string;
  contentHash?: string;
  features: number[];
}

let server: Awaited<ReturnType<typeof startAppServer>>;
let host: Awaited<ReturnType<typeof startHostSite>>;
/** A second host site whose storage-access prompt is answered "denied": the frame works through Obscura's window. */
let windowHost: Awaited<ReturnType<typeof startHostSite>>;
let appUrl: string;
let browser: PartitionedBrowser;
let page: Page;
let frame: Frame;
let app: Page;

before(async () => {
  let endpoint = '';
  const attributes = () => `scope="shop" epsilon="1" endpoint="${endpoint}" train-task="parcels" suggested-label="Bag"`;
  host = await startHostSite(() => ({ '/': embeddingPage(appUrl, attributes()) }), '127.0.0.2');
  windowHost = await startHostSite(() => ({ '/': embeddingPage(appUrl, attributes()) }), '127.0.0.3');
  server = await startAppServer({
    tasks: [
      { scope: hostScopeName(host.url, 'shop'), mechanism: 'privunit', epsilon: 1 },
      { scope: hostScopeName(windowHost.url, 'shop'), mechanism: 'privunit', epsilon: 1 },
      TASK,
    ],
  });
  // localhost is another site than 127.0.0.2 (the app server listens on 127.0.0.1).
  appUrl = server.url.replace('127.0.0.1', 'localhost');
  server.collector.allowOrigin(appUrl);
  endpoint = `${server.collector.url}/reports`;
  browser = await launchPartitioned('third-party-cookies-allowed');
  await browser.setStorageAccess('granted', [host.url], appUrl);
  await browser.setStorageAccess('denied', [windowHost.url], appUrl);
  page = await browser.context.newPage();
  await page.goto(host.url);
  await waitForHostEvents(page, 'obscura-ready', 1);
  const found = page.frames().find((f) => f.url().startsWith(`${appUrl}/widget.html`));
  assert.ok(found, 'the widget iframe is in the page');
  frame = found;
  // Storage access stands (CDP), so the frame reaches the first-party store without a window.
  await armedClick(frame, 'allow-host');
  await waitForHostEvents(page, 'obscura-budget', 1);
  app = await browser.context.newPage();
  await app.goto(appUrl);
  await page.bringToFront();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await host?.close();
  await windowHost?.close();
});

/** The examples in the app origin's first-party store, read on the app's own top-level page. */
async function keptExamples(): Promise<Kept[]> {
  return app.evaluate(async (name) => {
    // Opening a database that does not exist would create it empty: look first.
    if (!(await indexedDB.databases()).some((d) => d.name === name)) return [];
    return new Promise<Kept[]>((done, fail) => {
      const open = indexedDB.open(name);
      open.onerror = () => fail(open.error);
      open.onsuccess = () => {
        const all = open.result.transaction('examples').objectStore('examples').getAll();
        all.onsuccess = () => {
          done(all.result as Kept[]);
          open.result.close();
        };
      };
    });
  }, TRAIN_EXAMPLES_DB);
}

/** Picks `file` in the frame and waits for its label picker (the newest row is first). */
async function pick(file: string) {
  const rows = await frame.getByTestId('train-choice').count();
  await frame.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/${file}`);
  await frame.getByTestId('train-choice').nth(rows).waitFor({ timeout: 90_000 });
  return { label: frame.getByTestId('train-label').first(), confirm: frame.getByTestId('train-confirm').first() };
}

const iframeHeight = () =>
  page.evaluate(() => {
    const el = document.querySelector('obscura-extractor')!;
    // The shadow root is closed: the host sees the element's box, which the iframe fills.
    return el.getBoundingClientRect().height;
  });

test('the host’s suggestion is preselected; the person’s click keeps exactly one example with it', async () => {
  const { label, confirm } = await pick('chelsea.png');
  assert.equal(await label.inputValue(), 'Bag');
  // The person is told whose label it is.
  assert.equal(await frame.getByTestId('train-suggested').first().innerText(), '(this site suggests Bag)');
  assert.deepEqual(await keptExamples(), [], 'nothing is kept before the click');
  const heard = await hostEvents(page);
  const height = await iframeHeight();

  await armedClick(frame, 'train-confirm');
  await confirm.getByText('Kept as Bag').waitFor();
  const kept = await keptExamples();
  assert.equal(kept.length, 1);
  assert.deepEqual(
    { collector: kept[0]!.collector, task: kept[0]!.task, label: kept[0]!.label, dims: kept[0]!.features.length },
    { collector: server.collector.url, task: 'parcels', label: 'Bag', dims: 96 },
  );
  // The app's training panel reads the same store.
  await app.reload();
  const panel = app.getByTestId('training').filter({ hasText: 'Train codebook parcels' });
  await panel.getByTestId('train-examples').getByText('1 labelled example here').waitFor({ timeout: 30_000 });
  // The host heard nothing new, and the frame did not change its size.
  await settled(frame);
  assert.deepEqual(await hostEvents(page), heard);
  assert.equal(await iframeHeight(), height);
});

test('the person changes the label before confirming; the chosen one is kept', async () => {
  const { label, confirm } = await pick('coffee.png');
  assert.equal(await label.inputValue(), 'Bag');
  await label.selectOption('Trouser');
  assert.equal((await keptExamples()).length, 1, 'choosing is not keeping');
  await armedClick(frame, 'train-confirm');
  await confirm.getByText('Kept as Trouser').waitFor();
  const kept = await keptExamples();
  assert.deepEqual(kept.map((e) => e.label).sort(), ['Bag', 'Trouser']);
});

test('forged messages from the host cannot keep an example or change the person’s label', async () => {
  const { label, confirm } = await pick('rocket.jpg');
  assert.equal(await label.inputValue(), 'Bag');
  const errorsBefore = (await hostEvents(page, 'obscura-error')).length;
  const base = { protocol: 'obscura-widget', v: 1 };
  const config = { scope: 'shop', epsilon: 1, 'train-task': 'parcels', 'suggested-label': 'Sneaker' };
  const forged = [
    { ...base, type: 'train-confirm', label: 'Sneaker' },
    { ...base, type: 'add-example', task: 'parcels', label: 'Sneaker' },
    { ...base, type: 'configure', config: { ...config, confirm: true } },
    { ...base, type: 'configure', config: { ...config, label: 'Sneaker' } },
  ];
  // What any host page can do: post to its widget's window (reached here past the closed shadow root).
  const iframe = await frame.frameElement();
  await page.evaluate(
    ([el, messages]) => {
      for (const m of messages as unknown[]) (el as HTMLIFrameElement).contentWindow!.postMessage(m, '*');
    },
    [iframe, forged] as const,
  );
  const errors = (await waitForHostEvents(page, 'obscura-error', errorsBefore + forged.length)).slice(errorsBefore);
  assert.deepEqual(
    errors.map((e) => e.detail['name']),
    forged.map(() => 'InvalidParameterError'),
  );
  assert.deepEqual(
    errors.slice(0, 2).map((e) => e.detail['message']),
    [OTHER_MESSAGE_REFUSAL, OTHER_MESSAGE_REFUSAL],
  );
  // A valid new suggestion changes no choice the person is already looking at.
  const budgets = (await hostEvents(page, 'obscura-budget')).length;
  await page.evaluate(() => document.querySelector('obscura-extractor')!.setAttribute('suggested-label', 'Sneaker'));
  // The frame answers each configure with the grant's budget: this one has been handled.
  await waitForHostEvents(page, 'obscura-budget', budgets + 1);
  await settled(frame);
  assert.equal(await label.inputValue(), 'Bag');
  assert.equal(await confirm.innerText(), 'Keep for training');
  assert.deepEqual((await keptExamples()).map((e) => e.label).sort(), ['Bag', 'Trouser']);
  await page.evaluate(() => document.querySelector('obscura-extractor')!.setAttribute('suggested-label', 'Bag'));
});

test('a suggestion outside the task’s labels is refused: the frame says so, and nothing is kept', async () => {
  const errorsBefore = (await hostEvents(page, 'obscura-error')).length;
  await page.evaluate(() => document.querySelector('obscura-extractor')!.setAttribute('suggested-label', 'Damaged'));
  const notice = frame.getByTestId('suggestion-refused');
  await notice.waitFor();
  assert.match(await notice.innerText(), /“Damaged”, which is not one of training task parcels’s labels/);
  const [told] = (await waitForHostEvents(page, 'obscura-error', errorsBefore + 1)).slice(errorsBefore);
  assert.deepEqual(told!.detail, {
    name: 'UnknownLabelError',
    message: "the label is not one of the training task's labels",
  });
  const { label, confirm } = await pick('astronaut.png');
  assert.equal(await label.inputValue(), '', 'nothing is preselected');
  assert.equal(await confirm.isDisabled(), true);
  const options = await label.locator('option').allTextContents();
  assert.deepEqual(options, ['choose a label', ...LABELS]);
  assert.deepEqual((await keptExamples()).map((e) => e.label).sort(), ['Bag', 'Trouser']);
});

test('where storage access is refused, Obscura’s window keeps the example confirmed in the frame', async () => {
  const other = await browser.context.newPage();
  await other.goto(windowHost.url);
  await waitForHostEvents(other, 'obscura-ready', 1);
  const f = other.frames().find((x) => x.url().startsWith(`${appUrl}/widget.html`))!;
  const opened = browser.context.waitForEvent('page', { timeout: 30_000 });
  await armedClick(f, 'allow-host');
  const popup = await opened;
  await popup.waitForURL(`${appUrl}/connect.html**`);
  await popup.locator('[data-testid="allow-host"]:not([disabled])').click();
  await popup.getByTestId('grant-state').waitFor();
  await other.bringToFront();
  await waitForHostEvents(other, 'obscura-budget', 1);
  await f.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
  const label = f.getByTestId('train-label').first();
  await label.waitFor({ timeout: 90_000 });
  assert.equal(await label.inputValue(), 'Bag');
  await label.selectOption('Sneaker');
  await armedClick(f, 'train-confirm');
  await f.getByTestId('train-confirm').first().getByText('Kept as Sneaker').waitFor();
  // The same image as the first test's: its example for the task is relabelled, not doubled.
  assert.deepEqual((await keptExamples()).map((e) => e.label).sort(), ['Sneaker', 'Trouser']);
  await popup.close();
  await other.close();
});
