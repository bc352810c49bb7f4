// The README's worked example, run as written (its commands are read from README.md, so the
// document and the test cannot drift) in an empty folder: `npm run example:folders` writes the
// 500 T-shirt and 500 sneaker images of Fashion-MNIST's test set as PNG files from the committed
// sheets, then the real CLI and the real HTTP collector knowing the demo codebook.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector, type TestCollector } from '../support/collector';
import { l2Normalize } from '../../src/privacy/vector/prepare';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const README_URL = 'http://127.0.0.1:5174';
const IMAGES = 500;
const TSHIRT = 0; // labels[0] of fashion-10 is "T-shirt/top"
const SNEAKER = 7; // labels[7] is "Sneaker"
/**
 * Two-sided normal quantile for 1 − 1e-6. An estimate within its 95 % interval of the truth fails
 * 5 % of the time by design; the test asserts the same estimate within ±4.89 of the same standard
 * error (a 99.9999 % interval), so a correct estimator fails one run in a million, and reports the
 * 95 % interval beside it.
 */
const Z_1E6 = 4.8916;
/**
 * How far /compare's corrected cosine may be from the clean one. Its error comes from PrivUnit's
 * noise alone (the images are fixed): 400 simulated releases of these 2 × 500 clean vectors at
 * ε = 8 (the privacy core's PrivUnit, src/analysis's cosine) gave a mean error of +0.0005 and a
 * standard deviation of 0.0113. ±0.05 would be 4.4 standard deviations, failing about one run in
 * 10⁵; ±0.06 is 5.3, under one in 10⁶.
 */
const COSINE_TOLERANCE = 0.06;

interface Block {
  /** Steps 0 to 2: make the folders, extract and send, as one shell script. */
  readonly script: string;
  /** Steps 3 and 4: the two curl commands. */
  readonly curls: readonly string[];
}

/** The commands between the worked-example markers of README.md, pointed at this test's collector. */
async function readmeCommands(collectorUrl: string): Promise<Block> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = /<!-- worked-example:start[^>]*-->\s*```sh\n([\s\S]*?)```\s*<!-- worked-example:end -->/.exec(readme);
  assert.ok(section, 'README.md has the worked-example block');
  const text = section[1]!;
  assert.equal(text.split(README_URL).length - 1, 3, 'the block names the collector three times');
  // One pass over the images gives the reports and, with --clean, the clean vectors and labels beside them
  // (for local inspection only: `send` posts each line's report).
  assert.equal(text.split('./bin/obscura extract ').length - 1, 1);
  assert.match(text, /^npm run example:folders /m, 'step 0 makes the folders');
  const commands = text
    .replaceAll(README_URL, collectorUrl)
    .replace('./bin/obscura extract ', './bin/obscura extract --clean ')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const curls = commands.filter((l) => l.startsWith('curl '));
  assert.equal(curls.length, 2, commands.join('\n'));
  return { script: commands.filter((l) => !l.startsWith('curl ')).join('\n'), curls };
}

/** Runs a shell command in `cwd`; rejects with its stderr on a non-zero exit. */
function sh(command: string, cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('bash', ['-o', 'pipefail', '-e', '-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done(out) : fail(new Error(`${command}\nexit ${code}: ${err}`))));
  });
}

interface ExtractLine {
  readonly file: string;
  readonly clean: number[];
  readonly label: { readonly value: number; readonly label: string };
  readonly report: { readonly scope: string };
}

async function lines(path: string): Promise<ExtractLine[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExtractLine);
}

interface Frequencies {
  readonly count: number;
  readonly frequencies: number[];
  readonly standardErrors: number[];
  readonly ci95: [number, number][];
}
interface CompareAnswer {
  readonly categories: {
    readonly key: { readonly codebook: string; readonly k: number };
    readonly a: Frequencies;
    readonly b: Frequencies;
    readonly test: { readonly pValue: number };
  }[];
  readonly vectors: {
    readonly key: { readonly mechanism: string };
    readonly cosine: { readonly corrected: number | null; readonly naive: number | null } | null;
    readonly test: { readonly statistic: number; readonly pValue: number } | null;
  }[];
}

let collector: TestCollector;
let work: string;
let block: Block;
let tshirts: ExtractLine[];
let sneakers: ExtractLine[];

before(async () => {
  collector = await startCollector({
    codebooks: join(ROOT, 'public', 'codebooks'),
    tasks: join(ROOT, 'docs', 'worked-example-tasks.json'),
  });
  block = await readmeCommands(collector.url);
  // A folder that looks like the project's root to the commands (its package.json and what its scripts,
  // bin/ and public/ need), without the image folders: step 0 makes them.
  work = await mkdtemp(join(tmpdir(), 'obscura-worked-example-'));
  for (const entry of ['package.json', 'bin', 'public', 'scripts', 'node_modules'])
    await symlink(join(ROOT, entry), join(work, entry));
});
after(async () => {
  await collector?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The share of a group's images the codebook assigns `label` to, on the clean features (the truth k-RR estimates). */
function cleanShare(group: readonly ExtractLine[], label: number): number {
  return group.filter((l) => l.label.value === label).length / group.length;
}

function checkShare(t: { diagnostic(m: string): void }, name: string, side: Frequencies, label: number, truth: number) {
  const [f, se, ci] = [side.frequencies[label]!, side.standardErrors[label]!, side.ci95[label]!];
  t.diagnostic(
    `${name}: estimated share ${f.toFixed(3)}, 95 % CI [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}], ` +
      `clean on-device share ${truth.toFixed(3)}`,
  );
  assert.ok(Math.abs(f - truth) <= Z_1E6 * se, `${name}: |${f} − ${truth}| > ${Z_1E6} × ${se}`);
}

test('steps 1–4: k-RR shares of each folder hold the clean on-device share; the folders differ', async (t) => {
  const out = (await sh(block.script, work)).trim().split('\n');
  assert.match(out[0]!, /^> obscura@[\d.]+ example:folders$/, 'npm ran step 0');
  // npm prints its banner on stdout; `send`'s summary is the last line.
  const summary = JSON.parse(out.at(-1)!) as { sent: number; rejected: { count: number } };
  assert.equal(summary.sent, 2 * IMAGES, JSON.stringify(summary));
  tshirts = await lines(join(work, 'tshirts.jsonl'));
  sneakers = await lines(join(work, 'sneakers.jsonl'));
  assert.equal(tshirts.length, IMAGES);
  assert.equal(sneakers.length, IMAGES);

  const aggregates = JSON.parse(await sh(block.curls[0]!, work)) as { categories: ({ key: object } & Frequencies)[] };
  assert.equal(aggregates.categories.length, 1);
  const tshirtShare = cleanShare(tshirts, TSHIRT);
  checkShare(t, 'tshirts (step 3)', aggregates.categories[0]!, TSHIRT, tshirtShare);

  const compare = JSON.parse(await sh(block.curls[1]!, work)) as CompareAnswer;
  assert.equal(compare.categories.length, 1);
  const c = compare.categories[0]!;
  assert.deepEqual([c.key.codebook, c.key.k, c.a.count, c.b.count], ['fashion-10', 10, IMAGES, IMAGES]);
  checkShare(t, 'tshirts (step 4, a)', c.a, TSHIRT, tshirtShare);
  checkShare(t, 'sneakers (step 4, b)', c.b, SNEAKER, cleanShare(sneakers, SNEAKER));
  t.diagnostic(`label distributions differ: p = ${c.test.pValue.toExponential(2)}`);
  assert.ok(c.test.pValue < 0.001, `p = ${c.test.pValue}`);
});

/** Cosine of the two groups' means of L2-normalised clean vectors (PrivUnit's prepared vectors). */
function cleanMeanCosine(a: readonly ExtractLine[], b: readonly ExtractLine[]): number {
  const mean = (g: readonly ExtractLine[]) => {
    const m = new Float64Array(g[0]!.clean.length);
    for (const l of g) l2Normalize(l.clean).forEach((x, j) => (m[j]! += x / g.length));
    return m;
  };
  const [x, y] = [mean(a), mean(b)];
  let [dot, xx, yy] = [0, 0, 0];
  for (let j = 0; j < x.length; j++) [dot, xx, yy] = [dot + x[j]! * y[j]!, xx + x[j]! ** 2, yy + y[j]! ** 2];
  return dot / Math.sqrt(xx * yy);
}

test('PrivUnit at ε 8 on the same vectors: means differ, corrected cosine near the clean one', async (t) => {
  assert.ok(tshirts && sneakers, 'the k-RR step ran');
  // Privatized from the vectors step 1 already extracted: nothing is extracted twice.
  for (const g of ['tshirts', 'sneakers'])
    await sh(
      `./bin/obscura privatize --mechanism privunit --epsilon 8 --scope ${g}-privunit ` +
        `< ${g}.jsonl > ${g}.privunit.jsonl`,
      work,
    );
  const sent = JSON.parse(
    await sh(
      `cat tshirts.privunit.jsonl sneakers.privunit.jsonl | ./bin/obscura send --collector ${collector.url}`,
      work,
    ),
  ) as { sent: number };
  assert.equal(sent.sent, 2 * IMAGES);

  // The vectors went to scopes of their own (one mechanism a scope): step 4 asked of those.
  const step4 = block.curls[1]!.replace(/scope=(tshirts|sneakers)/g, 'scope=$1-privunit');
  const compare = JSON.parse(await sh(step4, work)) as CompareAnswer;
  const v = compare.vectors.find((g) => g.key.mechanism === 'privunit');
  assert.ok(v?.test && v.cosine?.corrected !== null && v.cosine?.corrected !== undefined, JSON.stringify(v));
  const clean = cleanMeanCosine(tshirts, sneakers);
  t.diagnostic(
    `means differ: p = ${v.test.pValue.toExponential(2)}; cosine corrected ${v.cosine.corrected.toFixed(4)}, ` +
      `naive ${v.cosine.naive?.toFixed(4)}, clean ${clean.toFixed(4)}`,
  );
  assert.ok(v.test.pValue < 0.001, `p = ${v.test.pValue}`);
  assert.ok(Math.abs(v.cosine.corrected - clean) <= COSINE_TOLERANCE, `${v.cosine.corrected} vs ${clean}`);
});
