#!/usr/bin/env node
// Runs the node:test files of one tier: fast (pure unit tests), statistical, unit, browser (alias e2e) or
// all (every test file of the tree). scripts/test-tiers.mjs decides by rule which file is in which.
//   node scripts/run-tests.mjs [tier] [part of a path]
//
// Each file runs in its own process (the pure unit files in a few groups, a process each: test-groups.mjs), as many
// at a time as the machine has cores (one more while the running files leave a core idle by their measured
// utilisation: browser files that wait on timers), the longest first (by
// the CPU times of the last run here, else those of scripts/test-times.json: a copy of a full run's
// .tmp/test-times.json, so that a fresh clone's run is ordered too), so that no long file starts last and
// holds the run alone. A run that includes browser tests makes the production build they share
// first, if its sources changed since it was made; the other files run beside the build, the browser
// files after it. At the end it prints each file's wall and CPU time (the file's process, the browsers,
// servers and tools it waited for, and Chromium's renderers: renderer-cpu.mjs) and keeps them in
// .tmp/test-times.json. `--with-checks` (npm test) runs Prettier's check and the type check in the pool too.
// Files share a folder for the run (OBSCURA_TEST_RUN_DIR) where one leaves what the next need not make again.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TIERS, tierFiles } from './test-tiers.mjs';
import { buildState, recordBuild } from './fresh-build.mjs';
import { RendererCpu } from './renderer-cpu.mjs';
import { mayStart, utilisation } from './test-admission.mjs';
import { groupEntry, packGroups } from './test-groups.mjs';

const root = process.cwd();
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const [asked = 'all', filter] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// `npm test` runs Prettier's check and the type check in the same pool as the tests, beside them.
const withChecks = flags.includes('--with-checks');
const tier = asked === 'e2e' ? 'browser' : asked;
if (!TIERS.includes(tier)) {
  console.error(`unknown tier "${asked}"; expected one of ${TIERS.join(', ')} (e2e is browser)`);
  process.exit(2);
}
const files = tierFiles(root, tier).filter((f) => !filter || f.includes(filter));
if (files.length === 0) {
  console.error(`no test files found for tier "${tier}"${filter ? ` matching ${filter}` : ''}`);
  process.exit(1);
}

// Every test file makes its own servers on free ports, temp folders and browser profiles, so files
// can run side by side; TEST_CONCURRENCY=1 runs them one after another.
const concurrency = Number(process.env['TEST_CONCURRENCY']) || availableParallelism();
const browserExtra = Number(process.env['TEST_BROWSER_EXTRA'] ?? 0);
const isBrowserFile = (file) => file.startsWith('tests/e2e/');
// A test that waits for an event that never comes fails its file after twenty minutes instead of holding the run.
const FILE_TIMEOUT_MS = 20 * 60 * 1000;
/** Fewer pure files than this each run alone. */
const MIN_GROUPED = 6;

const timesFile = join(root, '.tmp', 'test-times.json');
const readTimes = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
};
const lastTimes = readTimes(timesFile);
const shippedTimes = readTimes(join(root, 'scripts', 'test-times.json'));

/**
 * What a file is expected to take: its CPU seconds in the last run here, else in scripts/test-times.json
 * (measured on a fresh clone), else a guess by kind. CPU time, not wall time: on a loaded machine the wall
 * time says more about the load than about the file.
 */
function expected(file) {
  const cpu = lastTimes[file]?.cpu ?? shippedTimes[file]?.cpu;
  if (typeof cpu === 'number') return cpu;
  return isBrowserFile(file) ? 20 : 2;
}

const cpuDir = mkdtempSync(join(tmpdir(), 'obscura-test-cpu-'));
// Where a file leaves what the files after it may reuse (tests/e2e/support/run-dir.ts): the sources do
// not change during a run, so what one file builds from them another needs not build again.
const runDir = mkdtempSync(join(tmpdir(), 'obscura-test-run-'));
const preload = new URL('./test-cpu.mjs', import.meta.url).href;
const running = new Set();

/**
 * Runs one command with its output kept and printed in one piece when it ends, so files do not interleave.
 * `onStart` and `onEnd` get the process id (to follow the renderers below it).
 */
function run(label, command, args, env, onStart = () => {}, onEnd = () => {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    // Its own process group, so that a file cut short takes its servers with it.
    const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    onStart(child.pid);
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    const timer = setTimeout(() => {
      chunks.push(Buffer.from(`\n# ${label}: no end after ${FILE_TIMEOUT_MS / 60000} min; stopped\n`));
      kill(child);
    }, FILE_TIMEOUT_MS);
    let ended = false;
    let drain;
    const end = (code, signal) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      clearTimeout(drain);
      running.delete(child);
      const extra = onEnd(child.pid);
      const output = Buffer.concat(chunks).toString('utf8');
      resolve({ code: code ?? 1, signal, output, wall: (Date.now() - started) / 1000, extra });
    };
    child.on('close', end);
    // A process the test left running may hold the output pipes open after the file's own process has
    // ended: its output is complete a moment after the exit, and the run goes on.
    child.on('exit', (code, signal) => {
      drain = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        end(code, signal);
      }, 5000);
    });
  });
}

function kill(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) kill(child);
    rmSync(runDir, { recursive: true, force: true });
    process.exit(130);
  });
}

const reporter = process.stdout.isTTY ? 'spec' : 'tap';

const renderers = new RendererCpu();

async function runFile(label, file, index) {
  const cpuFile = join(cpuDir, `${index}.json`);
  const env = { ...process.env, OBSCURA_TEST_CPU_FILE: cpuFile, OBSCURA_TEST_RUN_DIR: runDir };
  // Liftoff only: most files start PGlite, whose 8 MB of WASM V8 would otherwise also recompile with TurboFan in
  // the background for a process that lives a few seconds; that costs them more CPU (1 to 2 s a file) than the
  // slower baseline code, and a file's tfjs WASM kernels are short enough not to notice.
  const args = ['--liftoff-only', '--import', 'tsx', '--import', preload, `--test-reporter=${reporter}`, file];
  const result = await run(
    label,
    process.execPath,
    args,
    env,
    (pid) => renderers.watch(pid),
    (pid) => renderers.stop(pid),
  );
  let cpu;
  try {
    cpu = JSON.parse(readFileSync(cpuFile, 'utf8')).cpu + result.extra;
  } catch {
    cpu = undefined; // The process did not reach its exit handler (killed).
  }
  return { ...result, cpu };
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** Wall and CPU seconds of the build and the checks. */
const commands = new Map();

/** `npm run <script>`, its CPU counted as a file's is (every node process in it loads the preload). */
async function runScript(script) {
  const cpuFile = join(cpuDir, `${script.replace(/\W/g, '-')}.json`);
  const nodeOptions = `${process.env['NODE_OPTIONS'] ?? ''} --import ${preload}`.trim();
  const env = { ...process.env, NODE_OPTIONS: nodeOptions, OBSCURA_TEST_CPU_FILE: cpuFile };
  const result = await run(`npm run ${script}`, npm, ['run', script], env);
  let cpu;
  try {
    cpu = JSON.parse(readFileSync(cpuFile, 'utf8')).cpu;
  } catch {
    cpu = undefined;
  }
  commands.set(script, { wall: result.wall, cpu });
  return result;
}

// ---- the schedule: a pool of slots, the longest runnable job first ----
const needsBuild = files.some(isBrowserFile);
const build = needsBuild ? buildState(root) : { fresh: true };
let buildDone = build.fresh;
let buildFailed = false;
if (needsBuild && build.fresh) console.log('build: dist/ is up to date with the sources');

/** The CPU and wall seconds of `members` together, as their last runs alone measured them. */
function sumTimes(members) {
  const known = members.map((f) => lastTimes[f] ?? shippedTimes[f]).filter((t) => typeof t?.cpu === 'number');
  if (known.length === 0) return undefined;
  return { cpu: known.reduce((a, t) => a + t.cpu, 0), wall: known.reduce((a, t) => a + t.wall, 0) };
}

// The pure files run a few to a process when there are enough of them to share one (not for one file asked for).
const fastFiles = new Set(tier === 'browser' ? [] : tierFiles(root, 'fast'));
const groupable = files.filter((file) => fastFiles.has(file));
const groups = groupable.length >= MIN_GROUPED ? packGroups(groupable, expected, concurrency) : [];
const grouped = new Set(groups.flatMap((g) => g.files));

/**
 * @type {{ label: string, weight: number, share: number, file?: string, group?: string[], index?: number,
 *   command?: boolean }[]}
 */
const queue = [
  ...files
    .filter((file) => !grouped.has(file))
    .map((file, index) => ({
      label: file,
      file,
      index,
      weight: expected(file),
      share: utilisation(lastTimes[file] ?? shippedTimes[file]),
    })),
  ...groups.map((g, i) => ({
    label: `${g.files.length} pure unit files (group ${i + 1} of ${groups.length})`,
    group: g.files,
    index: files.length + i,
    weight: g.weight,
    share: utilisation(sumTimes(g.files)),
  })),
];
// The checks `npm test` makes before any test: they read the tree and write nothing the tests read.
if (withChecks) {
  for (const script of ['typecheck', 'format:check'])
    queue.push({ label: script, command: true, weight: Number.MAX_SAFE_INTEGER, share: 1 });
}
queue.sort((a, b) => b.weight - a.weight || a.label.localeCompare(b.label));
const results = new Map();
const checks = new Map();
const started = Date.now();

/** Jobs running now, and the cores they are expected to keep busy. */
let active = 0;
let busy = 0;
let buildSeconds = 0;

/** The longest job that may start now (test-admission.mjs). Browser files wait for the build. */
function nextJob() {
  const at = queue.findIndex((job) => {
    const browser = job.file !== undefined && isBrowserFile(job.file);
    if (browser && !buildDone) return false;
    const extraSlots = browser ? browserExtra : 0;
    return mayStart({ active, busy, cores: concurrency, share: job.share, extraSlots });
  });
  return at < 0 ? undefined : queue.splice(at, 1)[0];
}

async function runJob(job) {
  if (job.command) {
    const result = await runScript(job.label);
    checks.set(job.label, result);
    process.stdout.write(`# ---- npm run ${job.label} (${result.wall.toFixed(1)} s) ----\n${result.output}`);
    if (result.code !== 0) process.stdout.write(`# npm run ${job.label}: FAILED\n`);
    return;
  }
  let entry = job.file;
  if (job.group) {
    entry = join(cpuDir, `group-${job.index}.mjs`);
    writeFileSync(entry, groupEntry(root, job.group));
  }
  const result = buildFailed
    ? { code: 1, output: `# ${job.label}: not run, the build failed\n`, wall: 0, cpu: 0 }
    : await runFile(job.label, entry, job.index);
  results.set(job.label, result);
  const cpu = result.cpu === undefined ? '' : `, ${result.cpu.toFixed(1)} s CPU`;
  const members = job.group ? job.group.map((f) => `#   ${f}\n`).join('') : '';
  process.stdout.write(`# ---- ${job.label} (${result.wall.toFixed(1)} s${cpu}) ----\n${members}${result.output}`);
  if (result.code !== 0) {
    const alone = job.group ? '; a file that passes alone fails beside the others: run it with `fast <file>`' : '';
    process.stdout.write(`# ${job.label}: FAILED (exit ${result.signal ?? result.code})${alone}\n`);
  }
}

/** Starts every job that may start now; resolves when the queue is empty and nothing runs. */
const done = new Promise((resolveDone) => {
  const fill = () => {
    for (let job = nextJob(); job; job = nextJob()) {
      active++;
      busy += job.share;
      const share = job.share;
      runJob(job).then(() => {
        active--;
        busy -= share;
        fill();
      });
    }
    if (active === 0 && queue.length === 0) resolveDone();
  };
  if (!buildDone) {
    active++;
    busy += 1;
    runScript('build').then((result) => {
      buildSeconds = result.wall;
      process.stdout.write(`# ---- build (${result.wall.toFixed(1)} s) ----\n${result.output}`);
      if (result.code === 0) recordBuild(root, build.stamp);
      else {
        buildFailed = true;
        console.error('build: npm run build failed; the browser tests need it');
      }
      buildDone = true;
      active--;
      busy -= 1;
      fill();
    });
  }
  fill();
});
await done;
rmSync(cpuDir, { recursive: true, force: true });
rmSync(runDir, { recursive: true, force: true });
const elapsed = (Date.now() - started) / 1000;

/**
 * The time this run's jobs would take on `lanes` idle cores, scheduled as this runner does (the build
 * first, the checks, then the longest file that may start), if each took its CPU time.
 */
function listSchedule(fileRows, buildCpu, checkCpu, lanes) {
  const pending = [
    ...checkCpu.map((cpu) => ({ cpu, browser: false, first: true })),
    ...fileRows.map((r) => ({ cpu: r.cpu ?? 0, browser: isBrowserFile(r.file), first: false })),
  ].sort((a, b) => Number(b.first) - Number(a.first) || b.cpu - a.cpu);
  const free = Array.from({ length: lanes }, () => 0);
  free[0] = buildCpu;
  let end = buildCpu;
  while (pending.length > 0) {
    free.sort((a, b) => a - b);
    const now = free[0];
    let at = pending.findIndex((job) => !job.browser || now >= buildCpu);
    if (at < 0) at = 0; // only browser files are left: the lane waits for the build
    const [job] = pending.splice(at, 1);
    free[0] = Math.max(now, job.browser ? buildCpu : 0) + job.cpu;
    end = Math.max(end, free[0]);
  }
  return end;
}

// ---- the report ----
const counts = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
for (const { output } of results.values()) {
  for (const key of Object.keys(counts)) {
    const found = [...output.matchAll(new RegExp(`^(?:# |\\u2139 )${key} (\\d+)\\s*$`, 'gm'))].at(-1);
    if (found) counts[key] += Number(found[1]);
  }
}
const failed = [...results].filter(([, r]) => r.code !== 0).map(([file]) => file);

const rows = [...results].map(([file, r]) => ({ file, wall: r.wall, cpu: r.cpu }));
const totalCpu = rows.reduce((sum, r) => sum + (r.cpu ?? 0), 0);
const totalWall = rows.reduce((sum, r) => sum + r.wall, 0);
const shown = Number(process.env['TEST_TIMES_SHOWN']) || 25;
const pad = (text, width) => String(text).padStart(width);
const table = (title, key) => {
  console.log(`\n${title}`);
  console.log(`${pad('wall s', 8)} ${pad('CPU s', 8)}  file`);
  for (const r of [...rows].sort((a, b) => (b[key] ?? 0) - (a[key] ?? 0)).slice(0, shown)) {
    console.log(`${pad(r.wall.toFixed(1), 8)} ${pad(r.cpu === undefined ? '?' : r.cpu.toFixed(1), 8)}  ${r.file}`);
  }
};
table(`the ${Math.min(shown, rows.length)} files with the most CPU time`, 'cpu');
table(`the ${Math.min(shown, rows.length)} files with the longest wall time`, 'wall');
console.log(
  `\n${tier}: ${files.length} files in ${elapsed.toFixed(0)} s, ${concurrency} at a time` +
    `${buildSeconds ? ` (the build beside them: ${buildSeconds.toFixed(0)} s)` : ''}; ` +
    `the files took ${totalCpu.toFixed(0)} s of CPU and ${totalWall.toFixed(0)} s of wall time in all`,
);
console.log(
  Object.entries(counts)
    .map(([key, n]) => `# ${key} ${n}`)
    .join('\n'),
);
const buildCpu = commands.get('build')?.cpu ?? 0;
const checkCpu = [...commands].filter(([name]) => name !== 'build').map(([, t]) => t.cpu ?? 0);
const allCpu = totalCpu + buildCpu + checkCpu.reduce((a, b) => a + b, 0);
const lanes = availableParallelism();
console.log(
  `CPU in all (files${buildCpu ? ', build' : ''}${checkCpu.length ? ', checks' : ''}): ${allCpu.toFixed(0)} s; ` +
    `on ${lanes} idle cores at least ${(allCpu / lanes).toFixed(0)} s, and ` +
    `${listSchedule(rows, buildCpu, checkCpu, lanes).toFixed(0)} s scheduled as here with each job taking its CPU time`,
);
// Wall times mean little without the load they were measured under (other work on the machine counts).
console.log(
  `load average at the end (1, 5, 15 min): ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);
if (failed.length > 0) console.log(`failed files:\n${failed.map((f) => `  ${f}`).join('\n')}`);

mkdirSync(join(root, '.tmp'), { recursive: true });
const times = Object.fromEntries(Object.entries(lastTimes).filter(([, t]) => typeof t?.cpu === 'number'));
// A group's time is not a file's: its files keep the times they had when they last ran alone.
for (const file of grouped) if (!times[file] && shippedTimes[file]) times[file] = shippedTimes[file];
for (const r of rows.filter((row) => files.includes(row.file))) {
  if (r.cpu !== undefined) times[r.file] = { wall: Number(r.wall.toFixed(2)), cpu: Number(r.cpu.toFixed(2)) };
}
for (const [script, t] of commands) {
  if (t.cpu !== undefined)
    times[`npm run ${script}`] = { wall: Number(t.wall.toFixed(2)), cpu: Number(t.cpu.toFixed(2)) };
}
const sorted = Object.fromEntries(Object.entries(times).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(timesFile, `${JSON.stringify(sorted, null, 2)}\n`);

const failedChecks = [...checks].filter(([, r]) => r.code !== 0).map(([script]) => `npm run ${script}`);
if (failedChecks.length > 0) console.log(`failed checks: ${failedChecks.join(', ')}`);
process.exit(failed.length > 0 || failedChecks.length > 0 || buildFailed ? 1 : 0);
