// Federated training, the whole loop, in Chromium: a collector declaring a training task, a leader
// and a helper on loopback, and three browser contexts acting as devices with labelled Fashion-MNIST
// photos (real PNG files). One device labels its photos in the built app and joins from there; two
// use the library (the release worker behind ReleaseBridge). The coordinator (`obscura train`'s
// step) opens and releases two rounds. A network audit shows that only shares left the devices, and
// their ledgers show each round charged once. The released version is then a category release's codebook.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { startEnginePageServer } from './support/engine-page-server';
import { startedEnginePage } from './support/engine-page';
import { seriousA11yViolations } from './support/a11y';
import type { PageWindow } from './support/page-api';
import { startCollector, type TestCollector } from '../support/collector';
import { writeFashionPngs } from '../support/fashion-pngs';
import { aggregatorTemplate } from '../support/pglite-template';
import { startAggregator, type RunningAggregator } from '../../aggregator/server';
import { coordinateStep, type CoordinatorOptions } from '../../src/cli/train-coordinator';
import { parseTrainTask, trainPlan, trainVdafTask } from '../../src/codebook/train-task';
import { parseCodebook } from '../../src/codebook/load-codebook';
import { assignLabel } from '../../src/codebook/assign-label';
import { versionSchema } from '../../src/codebook/train-rounds';
import { EPSILON_GRID, epsilonUnitsUp } from '../../src/privacy/accountant';
import { MOBILENET_V2 } from '../../src/engine/model/registry';
import type { LedgerEntry, TrainTaskRef } from '../../src/release/release-api';

const LABELS = ['Sneaker', 'Bag', 'Trouser'];
const MODEL = { id: MOBILENET_V2.id, layer: MOBILENET_V2.defaultLayer, dims: 96 };
const PER_CLASS = 2;
const collectorToken = randomBytes(12).toString('hex');
const analystToken = randomBytes(12).toString('hex');

let app: Awaited<ReturnType<typeof startAppServer>>;
let dev: Awaited<ReturnType<typeof startEnginePageServer>>;
let leader: RunningAggregator;
let helper: RunningAggregator;
let browser: Browser;
let dir: string;
/** Each device's photos: [device][i] = {file, label}. */
const photos: { file: string; label: string }[][] = [[], [], []];
const requests: { device: number; url: string; method: string; body: Buffer | null }[] = [];
const contexts: BrowserContext[] = [];
let appPage: Page;
const libraryPages: Page[] = [];
/** The clean features each device computed, to look for in what left. */
const cleanValues = new Set<string>();
const addClean = (vectors: readonly (readonly number[])[]) =>
  vectors.flat().forEach((x) => Math.abs(x) > 1e-4 && cleanValues.add(String(x)));
let coordinator: CoordinatorOptions;
let categoryCollector: TestCollector | undefined;

const declared = () => ({
  kind: 'train' as const,
  scope: 'parcels',
  codebook: 'parcels',
  labels: LABELS,
  model: MODEL,
  clip: 1,
  // Three rounds, of which a device may join two: the third is refused on the device.
  rounds: 3,
  participations: 2,
  roundSeconds: 3600,
  noise: { epsilon: 2, delta: 1e-8 },
  nMin: 3,
  aggregators: { leader: leader?.url ?? 'http://127.0.0.1:1', helper: helper?.url ?? 'http://127.0.0.2:1' },
  local: { steps: 5, learningRate: 1 },
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obscura-train-loop-'));
  for (const label of LABELS) {
    const files = await writeFashionPngs(dir, label, 3 * PER_CLASS);
    files.forEach((file, i) => photos[i % 3]!.push({ file, label }));
  }
  const vdaf = trainVdafTask(parseTrainTask(declared(), 'test'));
  const common = {
    port: 0,
    ...vdaf,
    verifyKey: randomBytes(16).toString('base64url'),
    peerToken: randomBytes(12).toString('hex'),
    analystToken,
    // The app's and the test page's origins are listed once their servers run (below).
    allowedOrigins: [],
    pgliteTemplate: await aggregatorTemplate(),
  };
  helper = await startAggregator({ role: 'helper', ...common });
  leader = await startAggregator({ role: 'leader', ...common, helperUrl: helper.url });
  // A second training task reads another layer: the same photos' features are refused for it.
  const otherLayer = { ...declared(), scope: 'parcels-deep', codebook: 'parcels-deep' };
  otherLayer.model = { ...MODEL, layer: 'out_relu', dims: 1280 };
  app = await startAppServer({
    aggregators: [leader.url, helper.url],
    tasks: [{ scope: 'default', mechanism: 'privunit', epsilon: [1, 2] }, declared(), otherLayer],
    trainToken: collectorToken,
  });
  dev = await startEnginePageServer();
  app.collector.allowOrigin(dev.url);
  for (const aggregator of [leader, helper])
    for (const page of [app.url, dev.url]) aggregator.allowOrigin(new URL(page).origin);
  coordinator = { collector: app.collector.url, task: 'parcels', collectorToken, analystToken };
  browser = await launchChromium();
  for (let device = 0; device < 3; device++) {
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    context.on('request', (r: Request) =>
      requests.push({ device, url: r.url(), method: r.method(), body: r.postDataBuffer() }),
    );
    contexts.push(context);
  }
});
after(async () => {
  await browser?.close();
  await categoryCollector?.close();
  await dev?.close();
  await app?.close();
  await leader?.close();
  await helper?.close();
  await rm(dir, { recursive: true, force: true });
});

const ref = (): TrainTaskRef => ({ collector: app.collector.url, task: 'parcels' });

/** The app's panel of task "parcels". */
const panel = () =>
  appPage
    .getByTestId('training')
    .filter({ has: appPage.getByRole('heading', { name: 'Train codebook parcels', exact: true }) });

/** A library device extracts its photos and labels each (the labels passed with the images). */
async function labelOnLibraryDevice(page: Page, device: number) {
  const items = photos[device]!.map((p) => ({ path: `generated/${basename(p.file)}`, label: p.label }));
  return page.evaluate(
    async ([items, ref]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const releases = ob.releases();
      const clean: number[][] = [];
      const hashes: string[] = [];
      for (const item of items) {
        const extraction = await ob.bridge().extract(await ob.fixture(item.path));
        clean.push(Array.from(extraction.vector));
        hashes.push(extraction.contentHash);
        await releases.addTrainExample(extraction.contentHash, ref, item.label);
      }
      // No named functions inside evaluate: the test runner's transform would reference a helper the page lacks.
      const refusals = {
        label: await releases.addTrainExample(hashes[0]!, ref, 'Parcel').then(
          () => 'kept',
          (e: Error) => e.name,
        ),
        model: await releases.addTrainExample(hashes[0]!, { ...ref, task: 'parcels-deep' }, items[0]!.label).then(
          () => 'kept',
          (e: Error) => e.name,
        ),
      };
      // Labelled twice, an image is one example with its new label; removed, it is gone.
      await releases.addTrainExample(hashes[0]!, ref, items[2]!.label);
      const relabelled = (await releases.trainExamples(ref)).length;
      const first = (await releases.trainExamples(ref)).find((e) => e.contentHash === hashes[0]);
      const removed = await releases.removeTrainExamples(ref, [first!.id]);
      await releases.addTrainExample(hashes[0]!, ref, items[0]!.label);
      const examples = await releases.trainExamples(ref);
      const tasks = (await releases.trainingTasks(`${ref.collector}/reports`)).map((t) => t.scope);
      return { clean, hashes, refusals, relabelled, removed, examples, tasks };
    },
    [items, ref()] as const,
  );
}

/** A library device joins the open round (creating the task's scope first) and waits until both shares left. */
async function joinOnLibraryDevice(page: Page) {
  return page.evaluate(async (ref) => {
    const releases = (window as unknown as PageWindow).obscura.releases();
    if (!(await releases.scopes()).some((s) => s.name === ref.task))
      await releases.createScope({ name: ref.task, totalEpsilon: 10, window: { kind: 'lifetime' } });
    await releases.refreshTrainingRounds(ref);
    const joined = await releases.joinTrainingRound(ref);
    const again = await releases.joinTrainingRound(ref);
    for (let i = 0; i < 5 && (await releases.flushOutbox()).waiting > 0; i++);
    return { joined, again, ledger: await releases.ledger(ref.task) };
  }, ref());
}

test('three devices label their photos in the app and the library; refusals are typed', async () => {
  // Round 1 opens on version 0 (the zero head) before any device comes.
  const opened = await coordinateStep(coordinator);
  assert.deepEqual([opened.action, opened.round, opened.headVersion], ['opened', 1, 0]);

  appPage = await contexts[0]!.newPage();
  await appPage.goto(app.url);
  await appPage.locator('engine-badge summary').waitFor({ timeout: 60_000 });
  await panel().waitFor();
  // Both declared training tasks get a panel; the picker offers the task's labels and nothing else.
  assert.equal(await appPage.getByTestId('training').count(), 2);
  await appPage.locator('#pick-images').setInputFiles(photos[0]!.map((p) => p.file));
  await panel()
    .getByTestId('train-photo')
    .nth(photos[0]!.length - 1)
    .waitFor({ timeout: 60_000 });
  const first = panel().getByRole('combobox', { name: `Label of ${basename(photos[0]![0]!.file)}` });
  assert.deepEqual(await first.locator('option').allInnerTexts(), ['not labelled', ...LABELS]);
  for (const [i, p] of photos[0]!.entries()) {
    await panel()
      .getByRole('combobox', { name: `Label of ${basename(p.file)}` })
      .selectOption(p.label);
    await panel()
      .getByTestId('train-examples')
      .getByText(`${i + 1} labelled example`)
      .waitFor();
  }
  // "not labelled" removes the example; choosing again keeps one example of the photo.
  await first.selectOption('');
  await panel()
    .getByTestId('train-examples')
    .getByText(`${photos[0]!.length - 1} labelled examples`)
    .waitFor();
  await first.selectOption(photos[0]![0]!.label);
  await panel().getByTestId('train-examples').getByText(`${photos[0]!.length} labelled examples`).waitFor();
  assert.deepEqual(await seriousA11yViolations(appPage), []);
  addClean(
    await appPage.evaluate(() =>
      (document.querySelector('obscura-app') as unknown as { results: { clean: Float32Array }[] }).results.map((r) =>
        Array.from(r.clean),
      ),
    ),
  );

  for (const device of [1, 2]) {
    const page = await startedEnginePage(contexts[device]!, dev.url, dir);
    libraryPages.push(page);
    const labelled = await labelOnLibraryDevice(page, device);
    addClean(labelled.clean);
    assert.deepEqual(labelled.refusals, { label: 'UnknownLabelError', model: 'CodebookMismatchError' });
    assert.equal(labelled.relabelled, photos[device]!.length);
    assert.equal(labelled.removed, 1);
    assert.deepEqual(labelled.examples.map((e) => e.label).sort(), photos[device]!.map((p) => p.label).sort());
    assert.deepEqual(labelled.tasks, ['parcels', 'parcels-deep']);
  }
});

test('two rounds: each device joins each once, charged before its shares leave; both are released', async () => {
  const plan = trainPlan(parseTrainTask(declared(), 'test'));
  const charge = epsilonUnitsUp(plan.central.epsilon) * EPSILON_GRID;
  for (const round of [1, 2]) {
    if (round === 2) {
      const opened = await coordinateStep(coordinator);
      assert.deepEqual([opened.action, opened.round, opened.headVersion], ['opened', 2, 1]);
    }
    // The app: one click; the row appears, then its shares are delivered.
    await panel().getByTestId('join-round').click();
    await panel()
      .getByTestId('train-row')
      .nth(round - 1)
      .waitFor({ timeout: 60_000 });
    const row = panel()
      .getByTestId('train-row')
      .nth(round - 1);
    await row.getByTestId('train-delivery').getByText('delivered').waitFor({ timeout: 60_000 });
    assert.equal(await row.getByTestId('train-round').innerText(), String(round));
    assert.equal(await row.getByTestId('train-version').innerText(), String(round - 1));
    assert.equal(
      await row.getByTestId('train-central').innerText(),
      `ε ${plan.central.epsilon.toPrecision(3)}, δ ${plan.central.delta.toExponential(1)}`,
    );
    assert.equal(
      await row.getByTestId('train-local').innerText(),
      `ε ${plan.local.epsilon.toPrecision(3)}, δ ${plan.local.delta.toExponential(1)}`,
    );
    if (round === 2)
      assert.equal(
        await panel().getByTestId('train-outcome').first().innerText(),
        'released: summed with 3 devices into version 1',
      );

    for (const page of libraryPages) {
      const { joined, again, ledger } = await joinOnLibraryDevice(page);
      assert.deepEqual([joined.charged, joined.round, joined.codebookVersion], [true, round, round - 1]);
      assert.deepEqual([joined.central, joined.local], [plan.central, plan.local]);
      assert.deepEqual([again.charged, again.id], [false, joined.id], 'a second join is the same share, free');
      assert.ok(Math.abs(joined.budget.spent - round * charge) < 1e-9, `spent ${joined.budget.spent}`);
      const rows = (ledger as LedgerEntry[]).filter((e) => e.aggregate?.train);
      assert.equal(rows.length, round);
      for (const e of rows) assert.equal(e.state, 'delivered');
    }

    const released = await coordinateStep(coordinator);
    assert.deepEqual([released.action, released.devices, released.version], ['released', 3, round]);
    assert.equal(released.codebook?.id, `parcels.v${round}`);
    assert.equal(released.privacy.released.rounds, round);
  }
  // Round 3 opens, but each device has made the two participations the guarantee is composed over:
  // it refuses before drawing or charging anything, and nothing leaves.
  const third = await coordinateStep(coordinator);
  assert.deepEqual([third.action, third.round], ['opened', 3]);
  const sharesBefore = requests.filter((r) => r.method === 'PUT').length;
  for (const page of libraryPages) {
    const refused = await page.evaluate(async (ref) => {
      const releases = (window as unknown as PageWindow).obscura.releases();
      await releases.refreshTrainingRounds(ref);
      const name = await releases.joinTrainingRound(ref).then(
        () => 'joined',
        (e: Error) => e.name,
      );
      return { name, rows: await releases.ledger(ref.task), budget: await releases.budget(ref.task) };
    }, ref());
    assert.equal(refused.name, 'ParticipationLimitError');
    assert.equal(refused.rows.filter((e) => e.aggregate?.train).length, 2);
    assert.ok(Math.abs(refused.budget.spent - 2 * charge) < 1e-9, `spent ${refused.budget.spent}`);
  }
  assert.equal(requests.filter((r) => r.method === 'PUT').length, sharesBefore, 'no share left for round 3');

  // Each library device reads both outcomes onto its rows; the app does when it opens again.
  for (const page of libraryPages) {
    const rows = await page.evaluate(async (ref) => {
      const releases = (window as unknown as PageWindow).obscura.releases();
      await releases.refreshTrainingRounds(ref);
      return { rows: await releases.ledger(ref.task), budget: await releases.budget(ref.task) };
    }, ref());
    const train = rows.rows.map((e) => e.aggregate!.train!).sort((a, b) => a.round - b.round);
    assert.deepEqual(
      train.map((t) => [
        t.round,
        t.codebookVersion,
        t.codebook,
        t.outcome?.state,
        t.outcome?.count,
        t.outcome?.version,
      ]),
      [
        [1, 0, 'parcels.v0', 'released', 3, 1],
        [2, 1, 'parcels.v1', 'released', 3, 2],
      ],
    );
    assert.ok(Math.abs(rows.budget.spent - 2 * charge) < 1e-9, `spent ${rows.budget.spent}`);
  }
  await appPage.reload();
  await panel().getByTestId('train-row').nth(1).waitFor({ timeout: 60_000 });
  // The examples stayed on the device (the photos themselves are gone from the page).
  assert.equal(await panel().getByTestId('train-examples').innerText(), `${photos[0]!.length} labelled examples here`);
  assert.deepEqual(await panel().getByTestId('train-outcome').allInnerTexts(), [
    'released: summed with 3 devices into version 1',
    'released: summed with 3 devices into version 2',
  ]);
  // The training task's scope now exists on the device, but releases are not charged to it.
  const scopeOptions = await appPage
    .locator('#scope option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  assert.ok(scopeOptions.includes('default'), scopeOptions.join(', '));
  assert.ok(!scopeOptions.includes('parcels'), scopeOptions.join(', '));

  // The network audit: what left the three devices while they trained.
  const shares = { leader: 0, helper: 0 };
  assert.ok(cleanValues.size > 1000, `${cleanValues.size} clean values to look for`);
  for (const r of requests) {
    const origin = new URL(r.url).origin;
    const role = origin === leader.url ? 'leader' : origin === helper.url ? 'helper' : undefined;
    if (r.method === 'OPTIONS') continue;
    if (!role) {
      assert.ok(['GET', 'HEAD'].includes(r.method), `device ${r.device}: only reads elsewhere: ${r.method} ${r.url}`);
      assert.ok(
        [app.url, dev.url, app.collector.url].includes(origin),
        `device ${r.device}: nothing goes to another server: ${r.url}`,
      );
      assert.equal(r.body, null);
      continue;
    }
    assert.equal(r.method, 'PUT', `${role}: ${r.method} ${r.url}`);
    const body = JSON.parse(r.body!.toString('utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['inputShare', 'publicShare']);
    for (const v of Object.values(body)) assert.match(v, /^[A-Za-z0-9_-]+$/, 'a share is base64url and nothing else');
    for (const v of cleanValues) assert.ok(!r.body!.toString('utf8').includes(v));
    shares[role]++;
  }
  // Three devices, two rounds, one share to each aggregator a round.
  assert.deepEqual(shares, { leader: 6, helper: 6 });
});

test('the released version is a category release codebook', async () => {
  const v2 = versionSchema.parse(await (await fetch(`${app.collector.url}/train/parcels/versions/2`)).json());
  const codebook = await parseCodebook(v2.codebook);
  assert.equal(codebook.id, 'parcels.v2');
  // A collector that takes k-RR reports over it: it knows the published codebook as any other.
  const codebooks = join(dir, 'codebooks');
  await mkdir(codebooks);
  await writeFile(join(codebooks, 'parcels.v2.json'), JSON.stringify(v2.codebook));
  categoryCollector = await startCollector({
    codebooks,
    tasks: [{ scope: 'parcel-kinds', mechanism: 'krr', epsilon: 1, codebook: 'parcels.v2' }],
    allowedOrigins: [dev.url],
  });
  const page = libraryPages[0]!;
  const photo = photos[1]![0]!;
  const result = await page.evaluate(
    async ([path, codebook, destination]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const releases = ob.releases();
      const extraction = await ob.bridge().extract(await ob.fixture(path));
      await releases.createScope({ name: 'parcel-kinds', totalEpsilon: 2, window: { kind: 'lifetime' } });
      const outcome = await releases.release(extraction.contentHash, {
        scope: 'parcel-kinds',
        mechanism: { name: 'krr', epsilon: 1 },
        codebook: codebook as never,
        destination,
      });
      for (let i = 0; i < 5 && (await releases.flushOutbox()).waiting > 0; i++);
      return { clean: Array.from(extraction.vector), outcome };
    },
    [`generated/${basename(photo.file)}`, v2.codebook, `${categoryCollector.url}/reports`] as const,
  );
  await categoryCollector.waitForStored(1, 'parcel-kinds');
  assert.equal(result.outcome.kind, 'category');
  if (result.outcome.kind !== 'category') return;
  assert.deepEqual(result.outcome.codebook, { id: 'parcels.v2', hash: codebook.hash, labels: LABELS });
  assert.equal(result.outcome.assigned.label, assignLabel(codebook, result.clean).label);
  const [stored] = (await categoryCollector.store.list('parcel-kinds', 10)) as { category: { codebook: string } }[];
  assert.equal(stored!.category.codebook, 'parcels.v2');
});
