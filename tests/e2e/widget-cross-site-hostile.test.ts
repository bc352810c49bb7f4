// A hostile host on another site (127.0.0.2, the app on localhost, partitioning on): the widget is an
// out-of-process frame there, and the host tries the decoy double-click and reads its errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { startAppServer } from './support/app-server';
import { embeddingPage, startHostSite } from './support/host-page';
import { armedClick } from './support/armed-click';
import { hostEvents, waitForHostEvents } from './support/host-events';
import { launchPartitioned, type PartitionedBrowser } from './support/cross-site';
import { decoyDoubleClick } from './support/pointer-attacks';
import { SKIMAGE_DIR } from '../support/data-paths';

let server: Awaited<ReturnType<typeof startAppServer>>;
let host: Awaited<ReturnType<typeof startHostSite>>;
let browser: PartitionedBrowser;
let page: Page;
let frame: Frame;
let files: string;

before(async () => {
  server = await startAppServer();
  const appUrl = server.url.replace('127.0.0.1', 'localhost');
  server.collector.allowOrigin(appUrl);
  host = await startHostSite(() => ({ '/': embeddingPage(appUrl, 'scope="shop" epsilon="1"') }), '127.0.0.2');
  browser = await launchPartitioned('third-party-cookies-allowed');
  await browser.setStorageAccess('granted', [host.url], appUrl);
  page = await browser.context.newPage();
  await page.goto(host.url);
  await waitForHostEvents(page, 'obscura-ready', 1);
  frame = page.frames().find((f) => f.url().startsWith(`${appUrl}/widget.html`))!;
  await armedClick(frame, 'allow-host');
  files = mkdtempSync(join(tmpdir(), 'obscura-hostile-'));
});
after(async () => {
  await browser?.close();
  await server?.close();
  await host?.close();
  if (files) rmSync(files, { recursive: true, force: true });
});

const events = (type: string) => hostEvents(page, type);

test('a widget slid under the pointer between the two clicks of a decoy double-click releases nothing', async () => {
  await frame.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/astronaut.png`);
  const { landed, reason } = await decoyDoubleClick(page, frame);
  console.log(`cross-site decoy double-click: the click reached the frame ${landed} ms after the move: ${reason}`);
  assert.match(reason, /ignored: the (widget moved just before the click|pointer had only just arrived)/);
  assert.equal((await events('obscura-report')).length, 0);
  // Left still with the pointer resting on it, the person's own click counts.
  await armedClick(frame, 'release');
  await waitForHostEvents(page, 'obscura-report', 1);
});

test('a broken photo named by the person reaches the host as an error with no file name or size', async () => {
  const named = join(files, 'holiday-2019.jpg');
  copyFileSync(`${SKIMAGE_DIR}/truncated.jpg`, named);
  const before = (await events('obscura-error')).length;
  await frame.locator('#pick-images').setInputFiles(named);
  await waitForHostEvents(page, 'obscura-error', before + 1);
  const error = (await events('obscura-error')).at(-1)!.detail;
  assert.equal(error['name'], 'DecodeError');
  assert.doesNotMatch(JSON.stringify(error), /holiday|2019|jpe?g|\d+\s*(x|×|bytes|kB|MB)/i);
  // The person, inside the frame, is told which file it was.
  await frame
    .getByText(/holiday-2019\.jpg/)
    .first()
    .waitFor();
});
