// A team declares its widget's scope at its collector, as docs/widget.md shows: the scope comes
// from `obscura widget-scope`, goes into a tasks file, and the widget's releases are stored. A
// widget whose scope is not declared names the scope to declare, and nothing is charged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { embeddingPage, startHostSite } from './support/host-page';
import { armedClick } from './support/armed-click';
import { hostEvents, waitForHostEvents } from './support/host-events';
import { SKIMAGE_DIR } from '../support/data-paths';
import { isReport } from '../support/is-report';
import { hostScopeName } from '../../src/widget/frame/host-scope';

type Site = Awaited<ReturnType<typeof startHostSite>>;

const BIN = join(import.meta.dirname, '../../bin/obscura');

let server: Awaited<ReturnType<typeof startAppServer>>;
let declared: Site;
let undeclared: Site;
let browser: Browser;
let dir: string;

/** What the team runs: `obscura widget-scope --origin <host page's origin> --scope photos --json`. */
async function widgetScope(origin: string): Promise<string> {
  const { stdout } = await promisify(execFile)(BIN, [
    'widget-scope',
    '--origin',
    origin,
    '--scope',
    'photos',
    '--json',
  ]);
  return (JSON.parse(stdout) as { scope: string }).scope;
}

before(async () => {
  let endpoint = '';
  const page = () => ({ '/': embeddingPage(server.url, `scope="photos" epsilon="1" endpoint="${endpoint}"`) });
  declared = await startHostSite(page);
  undeclared = await startHostSite(page);
  // The tasks file declares the first host's widget only.
  dir = await mkdtemp(join(tmpdir(), 'obscura-widget-tasks-'));
  const file = join(dir, 'tasks.json');
  const tasks = [{ scope: await widgetScope(declared.url), mechanism: 'privunit', epsilon: [0.5, 1] }];
  await writeFile(file, JSON.stringify(tasks, null, 2));
  server = await startAppServer({ tasks: file });
  endpoint = `${server.collector.url}/reports`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await declared?.close();
  await undeclared?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The host page in a fresh profile (a device of its own), its widget frame, the host site's grant allowed. */
async function openWidget(url: string): Promise<{ page: Page; frame: Frame; close: () => Promise<void> }> {
  const device = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  const page = await device.newPage();
  await page.goto(url);
  await waitForHostEvents(page, 'obscura-ready', 1);
  const frame = page.frames().find((f) => f.url().startsWith(`${server.url}/widget.html`));
  assert.ok(frame, 'the widget iframe is in the page');
  await armedClick(frame, 'allow-host');
  await waitForHostEvents(page, 'obscura-budget', 1);
  return { page, frame, close: () => device.close() };
}

test('the scope obscura widget-scope prints, declared in a tasks file, takes the widget’s release', async () => {
  const scope = hostScopeName(declared.url, 'photos');
  assert.equal(await widgetScope(declared.url), scope);
  const served = (await (await fetch(`${server.collector.url}/tasks`)).json()) as { tasks: { scope: string }[] };
  assert.deepEqual(
    served.tasks.map((t) => t.scope),
    [scope],
  );
  const { page, frame, close } = await openWidget(declared.url);
  try {
    await frame.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
    await armedClick(frame, 'release');
    const [report] = await waitForHostEvents(page, 'obscura-report', 1);
    assert.ok(isReport(report!.detail));
    assert.equal(report!.detail['scope'], scope);
    await frame.locator('summary', { hasText: 'what this site received' }).click();
    const state = frame.getByTestId('state').first();
    await state.getByText(/delivered|rejected/).waitFor({ timeout: 30_000 });
    assert.match(await state.innerText(), /^delivered/);
    assert.deepEqual(await server.collector.store.list(scope, 10), [report!.detail]);
    assert.deepEqual(await hostEvents(page, 'obscura-error'), []);
  } finally {
    await close();
  }
});

test('a widget whose scope the collector does not declare names the scope to declare; nothing is charged', async () => {
  const scope = hostScopeName(undeclared.url, 'photos');
  const stored = await server.collector.store.count();
  const { page, frame, close } = await openWidget(undeclared.url);
  try {
    // Before anything is picked: the frame tells the person, and the host's developer, what to declare.
    const [error] = await waitForHostEvents(page, 'obscura-error', 1);
    assert.deepEqual(error!.detail, {
      name: 'UndeclaredScopeError',
      message: 'the collector has not declared a task for this scope',
      scope,
    });
    const alert = frame.locator('p.error[role="alert"]').first();
    await alert.waitFor();
    assert.ok((await alert.innerText()).includes(`its tasks file must declare {"scope": "${scope}", …}`));

    // A release anyway is refused on the device, uncharged, and reaches neither the host nor the collector.
    await frame.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
    await armedClick(frame, 'release');
    const errors = await waitForHostEvents(page, 'obscura-error', 2);
    assert.equal(errors[1]!.detail['name'], 'UndeclaredScopeError');
    const budgets = await hostEvents(page, 'obscura-budget');
    assert.deepEqual(
      { spent: budgets.at(-1)!.detail['spent'], releases: budgets.at(-1)!.detail['releases'] },
      { spent: 0, releases: 0 },
    );
    // Asked again (a configure), the frame answers with the grant's state: still nothing spent.
    await page.evaluate(() => document.querySelector('obscura-extractor')!.setAttribute('theme', 'light'));
    const after = await waitForHostEvents(page, 'obscura-budget', budgets.length + 1);
    assert.deepEqual(
      { spent: after.at(-1)!.detail['spent'], releases: after.at(-1)!.detail['releases'] },
      { spent: 0, releases: 0 },
    );
    assert.deepEqual(await hostEvents(page, 'obscura-report'), []);
    assert.equal(await server.collector.store.count(), stored);
  } finally {
    await close();
  }
});
