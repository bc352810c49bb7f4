// The built app: a person creates an aggregate-only scope, and the scope settings state its
// trust assumption, its two aggregators and n_min. The model is held back: none of this needs it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { seriousA11yViolations } from './support/a11y';

let server: Awaited<ReturnType<typeof startAppServer>>;
let browser: Browser;

before(async () => {
  server = await startAppServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('an aggregate-only scope from the form shows its trust assumption, aggregators and n_min', async () => {
  const context = await browser.newContext();
  await context.route('**/models/**', () => undefined);
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByTestId('remaining').waitFor({ timeout: 30_000 });
  await page.locator('scope-settings summary').click();
  const fill = async (name: string, value: string) => page.locator(`input[name="${name}"]`).fill(value);
  await fill('scope-name', 'survey');
  await fill('scope-total', '5');
  await page.locator('select[name="scope-mode"]').selectOption('aggregate-only');
  await fill('scope-leader', 'https://leader.example');
  // Both on one origin: refused, with the field named.
  await fill('scope-helper', 'https://leader.example/helper');
  await fill('scope-nmin', '100');
  await fill('scope-trust', 'the university and the hospital do not collude');
  await page.getByRole('button', { name: 'Create scope' }).click();
  await page.getByTestId('error').first().waitFor();
  assert.match(await page.getByTestId('error').first().innerText(), /helper/);

  await fill('scope-helper', 'https://helper.example');
  await page.getByRole('button', { name: 'Create scope' }).click();
  const mode = page.getByTestId('scope-mode');
  await mode.waitFor();
  assert.equal(await page.locator('#scope').inputValue(), 'survey');
  const text = await mode.innerText();
  assert.match(text, /leader\.example/);
  assert.match(text, /helper\.example/);
  assert.equal(await page.getByTestId('scope-nmin').innerText(), '100');
  assert.equal(await page.getByTestId('scope-trust').innerText(), 'the university and the hospital do not collude');
  assert.match(text, /Central ε 1 per release/);
  // Back on a local scope, no such statement.
  await page.locator('#scope').selectOption('default');
  await mode.waitFor({ state: 'detached' });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await context.close();
});
