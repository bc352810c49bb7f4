// The built web app, as a person uses it: bring images in every way, see features, meet errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { makeGeneratedFixtures } from './support/fixtures';
import { seriousA11yViolations } from './support/a11y';
import { capture, thumbDistance } from './support/screenshots';
import { SKIMAGE_DIR } from '../support/data-paths';

let server: Awaited<ReturnType<typeof startAppServer>>;
let browser: Browser;
let page: Page;
let fixtures: string;
const shots: Record<string, Awaited<ReturnType<typeof capture>>> = {};

before(async () => {
  fixtures = await makeGeneratedFixtures();
  server = await startAppServer();
  browser = await launchChromium({ fakeCamera: true, autoAllow: true });
  page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
  await page.goto(server.url);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const cards = () => page.locator('result-card');

test('the shell paints before the model has loaded, and the page bundle has no tfjs in it', async () => {
  await page.getByRole('heading', { name: 'Bring an image' }).waitFor();
  const badge = await page.locator('engine-badge .badge').first().innerText();
  assert.match(badge, /loading the model|preparing the model|timing the backends|wasm/);
  const scripts = await page.evaluate(() => Array.from(document.scripts, (s) => s.src).filter(Boolean));
  for (const src of scripts) {
    const body = await (await fetch(src)).text();
    assert.ok(!body.includes('tfjs') && body.length < 150_000, `${src} is ${body.length} bytes`);
  }
  await page
    .locator('engine-badge')
    .getByText(/wasm · mobilenet_v2/)
    .waitFor({ timeout: 60_000 });
  shots['empty'] = await capture(page, 'empty');
  assert.deepEqual(await seriousA11yViolations(page), []);
});

test('several files at once: each gets its features, a broken one an inline error, nothing else lost', async () => {
  await page
    .locator('#pick-images')
    .setInputFiles([`${SKIMAGE_DIR}/chelsea.png`, `${SKIMAGE_DIR}/truncated.jpg`, `${SKIMAGE_DIR}/astronaut.png`]);
  await cards().nth(1).waitFor({ timeout: 60_000 });
  assert.equal(await cards().count(), 2);
  const error = page.getByTestId('error');
  await error.waitFor();
  assert.match(await error.innerText(), /damaged or incomplete.*truncated\.jpg/s);
  assert.equal(await page.locator('error-list [role="alert"]').getAttribute('aria-live'), 'assertive');
  shots['error'] = await capture(page, 'error');
  await page.getByRole('button', { name: 'dismiss this message' }).click();
  // The app renders in the next frame after a change: the message goes then, not within the click.
  await error.waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await error.count(), 0);
  shots['extracted'] = await capture(page, 'extracted');
  assert.deepEqual(await seriousA11yViolations(page), []);
});

test('drag and drop, and paste, bring images in too', async () => {
  const before = await cards().count();
  const bytes = [...(await readFile(`${SKIMAGE_DIR}/coffee.png`))];
  await page.evaluate(async (data) => {
    const file = new File([new Uint8Array(data)], 'coffee.png', { type: 'image/png' });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    const zone = document
      .querySelector('obscura-app')!
      .shadowRoot!.querySelector('capture-panel')!
      .shadowRoot!.querySelector('.drop')!;
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, bytes);
  await cards().nth(before).waitFor({ timeout: 30_000 });
  await page.evaluate(async (data) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(data)], 'pasted.png', { type: 'image/png' }));
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, bytes);
  await cards()
    .nth(before + 1)
    .waitFor({ timeout: 30_000 });
  assert.match(await cards().first().locator('article').innerText(), /pasted\.png/);
});

test('camera: live preview, snapshot, features', async () => {
  const before = await cards().count();
  await page.getByRole('button', { name: 'Use the camera' }).click();
  await page.getByRole('button', { name: 'Take a snapshot' }).click({ timeout: 20_000 });
  await cards().nth(before).waitFor({ timeout: 30_000 });
  assert.match(await cards().first().locator('article').innerText(), /camera snapshot/);
  await page.getByRole('button', { name: 'Close camera' }).click();
});

test('a video file shows frame progress and gives a pooled vector', async () => {
  const before = await cards().count();
  await page.locator('#pick-video').setInputFiles(`${fixtures}/three-photos.webm`);
  await page.locator('batch-progress').waitFor({ timeout: 10_000 });
  await cards().nth(before).waitFor({ timeout: 60_000 });
  assert.match(await cards().first().locator('article').innerText(), /three-photos\.webm.*8 frames pooled/s);
});

test('every control is reachable by keyboard with a visible focus', async () => {
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  const reached = new Set<string>();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      if (!el || el === document.body) return undefined;
      const target = el.matches('input[type=file]') ? el.parentElement!.querySelector('label')! : el;
      const style = getComputedStyle(target);
      return {
        id: el.id || el.textContent?.trim() || el.tagName,
        outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
      };
    });
    if (focused) {
      assert.ok(focused.outline, `${focused.id} shows no focus outline`);
      reached.add(focused.id);
    }
  }
  for (const id of ['pick-images', 'pick-video', 'Use the camera'])
    assert.ok(reached.has(id), `${id} not reached; reached ${[...reached].join(', ')}`);
});

test('works 360 px wide, and in dark mode', async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow} px`);
  shots['narrow'] = await capture(page, 'narrow');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1024, height: 800 });
  shots['dark'] = await capture(page, 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(18, 19, 22)');
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });
});

test('screenshots of the states are not blank and differ from each other', () => {
  const names = Object.keys(shots);
  assert.ok(names.length >= 4, names.join(', '));
  for (const n of names) assert.ok(shots[n]!.stdev > 5, `${n} looks blank (stdev ${shots[n]!.stdev})`);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const d = thumbDistance(shots[names[i]!]!.thumb, shots[names[j]!]!.thumb);
      assert.ok(d > 1, `${names[i]} and ${names[j]} look the same (${d})`);
    }
  }
});
