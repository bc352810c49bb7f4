// The built app with a leader and a helper behind its CSP: a person creates an aggregate-only
// scope, sees its trust assumption, aggregators and n_min where they choose it and where they
// release, releases an image, and the ledger shows the central and the local guarantee.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { seriousA11yViolations } from './support/a11y';
import { startAggregator, type RunningAggregator } from '../../aggregator/server';
import { aggregatorTemplate } from '../support/pglite-template';
import { planAggregate } from '../../src/privacy/aggregate/plan';
import { SKIMAGE_DIR } from '../support/data-paths';

const plan = planAggregate({ epsilon: 2, delta: 1e-8, nMin: 3, dims: 16 });
let server: Awaited<ReturnType<typeof startAppServer>>;
let leader: RunningAggregator;
let helper: RunningAggregator;
let browser: Browser;

before(async () => {
  const task = {
    port: 0,
    dims: 16,
    bits: plan.bits,
    nMin: 3,
    verifyKey: randomBytes(16).toString('base64url'),
    peerToken: 'peer',
    analystToken: 'analyst',
    pgliteTemplate: await aggregatorTemplate(),
  };
  helper = await startAggregator({ role: 'helper', ...task });
  leader = await startAggregator({ role: 'leader', ...task, helperUrl: helper.url });
  server = await startAppServer({ aggregators: [leader.url, helper.url] });
  // The app's origin is known once it listens: both aggregators take its uploads from then on.
  for (const aggregator of [leader, helper]) aggregator.allowOrigin(server.url);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await leader?.close();
  await helper?.close();
});

test('an aggregate-only scope from the form: its statement, a release, both guarantees in the ledger', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  // The shares as they left, to look for them on the device afterwards.
  const shares: string[] = [];
  context.on('request', (r) => {
    if (r.method() !== 'PUT') return;
    const body = JSON.parse(r.postDataBuffer()?.toString('utf8') ?? '{}') as { inputShare?: string };
    if (body.inputShare) shares.push(body.inputShare);
  });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
  await page.locator('scope-settings summary').click();
  const fill = async (name: string, value: string) => page.locator(`input[name="${name}"]`).fill(value);
  await fill('scope-name', 'survey');
  await fill('scope-total', '5');
  await page.locator('select[name="scope-mode"]').selectOption('aggregate-only');
  await fill('scope-leader', leader.url);
  // Both on one origin: refused, with the field named.
  await fill('scope-helper', `${leader.url}/helper`);
  await fill('scope-nmin', '3');
  await fill('scope-epsilon', '2');
  await fill('scope-trust', 'the university and the hospital do not collude');
  await page.getByRole('button', { name: 'Create scope' }).click();
  await page.getByTestId('error').first().waitFor();
  assert.match(await page.getByTestId('error').first().innerText(), /helper/);

  await fill('scope-helper', helper.url);
  await page.getByRole('button', { name: 'Create scope' }).click();
  const mode = page.getByTestId('scope-mode');
  await mode.waitFor();
  assert.equal(await page.locator('#scope').inputValue(), 'survey');
  const text = await mode.innerText();
  assert.ok(text.includes(new URL(leader.url).host) && text.includes(new URL(helper.url).host), text);
  assert.equal(await mode.getByTestId('scope-nmin').innerText(), '3');
  assert.equal(await mode.getByTestId('scope-trust').innerText(), 'the university and the hospital do not collude');
  assert.match(text, /Central ε 2 per release/);

  // Releasing into it: the button says so, and the ledger shows both guarantees once both shares arrived.
  await page.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
  await page.getByTestId('release-mode').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('release').first().innerText(), /ε 2\)/);
  // Before the click: the local ε that is all that remains if the aggregators collude.
  const before = page.getByTestId('local-guarantee-before');
  await before.waitFor();
  assert.match(
    await before.innerText(),
    new RegExp(`if they collude, only local ε ${plan.local.epsilon.toPrecision(3).replace('.', '\\.')}, δ 1\\.0e-8`),
  );
  assert.ok(plan.local.epsilon > 2, `the local ε ${plan.local.epsilon} is far from the central one`);
  await page.getByTestId('release').first().click();
  await page.getByTestId('state').first().getByText('delivered').waitFor({ timeout: 30_000 });
  const central = await page.getByTestId('central-guarantee').first().innerText();
  const local = await page.getByTestId('local-guarantee').first().innerText();
  assert.match(
    central,
    new RegExp(
      '^What it reveals if the university and the hospital do not collude,\\s+with a batch of real devices: ' +
        'central ε 2\\.00, δ 1\\.0e-8$',
    ),
  );
  assert.equal(local, `If they collude or fake the batch: local ε ${plan.local.epsilon.toPrecision(3)}, δ 1.0e-8`);
  assert.match(await page.getByTestId('remaining').innerText(), /ε 3\.00/);
  assert.deepEqual((await leader.store.counts())['uploaded'], 1);
  assert.deepEqual((await helper.store.counts())['uploaded'], 1);

  // Both shares acknowledged: neither is in the ledger's export (which holds their commitment).
  assert.equal(shares.length, 2);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-ledger').click()]);
  const exported = await readFile((await download.path())!, 'utf8');
  const entry = (JSON.parse(exported) as { payload: { kind: string } }[]).find((e) => e.payload.kind);
  assert.equal(entry?.payload.kind, 'aggregate-commitment');
  for (const share of shares) assert.ok(!exported.includes(share.slice(0, 40)), 'no input share in the export');

  // Back on a local scope, no such statement.
  await page.locator('#scope').selectOption('default');
  await mode.waitFor({ state: 'detached' });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await context.close();
});
