// The command line of npm start: every flag reaches the launch options, the old names and
// environment variables still work, and a wrong combination is refused with a reason (exit 2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseStartArgs } from '../../../scripts/start-args';
import type { LaunchOptions } from '../../../scripts/start';
import { makeCertificate, type Certificate } from './deploy-support';

let dir: string;
let cert: Certificate;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obscura-start-args-'));
  cert = await makeCertificate(dir);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function optionsOf(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<LaunchOptions> {
  const command = await parseStartArgs(argv, env);
  assert.equal(command.help, false);
  return (command as { options: LaunchOptions }).options;
}

test('without flags the defaults are those npm start always had', async () => {
  assert.deepEqual(await optionsOf([]), { port: 5173, collectorPort: 5174, inMemory: false, build: 'auto' });
});

test('the deployment flags reach the launch options', async () => {
  const options = await optionsOf([
    '--public-url',
    'https://obscura.example',
    '--host',
    '0.0.0.0',
    '--tls-cert',
    cert.certFile,
    '--tls-key',
    cert.keyFile,
    '--frame-ancestors',
    'https://shop.example,https://blog.example',
    '--read-token',
    'secret',
    '--codebooks',
    dir,
    '--port',
    '0',
  ]);
  assert.equal(options.publicUrl, 'https://obscura.example');
  assert.equal(options.host, '0.0.0.0');
  assert.deepEqual(options.tls?.cert, cert.ca, 'the certificate file is read');
  assert.match(String(options.tls?.key), /PRIVATE KEY/);
  assert.deepEqual(options.widgetAncestors, ['https://shop.example', 'https://blog.example']);
  assert.equal(options.readToken, 'secret');
  assert.equal(options.codebooks, resolve(dir));
  assert.equal(options.port, 0);
});

test('--widget-ancestors, the old name, and the environment variables still work', async () => {
  const old = await optionsOf(['--widget-ancestors', 'https://a.example', '--memory', '--skip-build']);
  assert.deepEqual(old.widgetAncestors, ['https://a.example']);
  assert.equal(old.inMemory, true);
  assert.equal(old.build, false);
  const env = {
    PORT: '8080',
    COLLECTOR_PORT: '8081',
    WIDGET_ANCESTORS: 'https://env.example',
    WIDGET_ENDPOINTS: 'https://c.example',
    AGGREGATORS: 'https://l.example,https://h.example',
    COLLECTOR_READ_TOKEN: 'from-env',
  };
  const fromEnv = await optionsOf([], env);
  assert.equal(fromEnv.port, 8080);
  assert.equal(fromEnv.collectorPort, 8081);
  assert.deepEqual(fromEnv.widgetAncestors, ['https://env.example']);
  assert.deepEqual(fromEnv.widgetEndpoints, ['https://c.example']);
  assert.deepEqual(fromEnv.aggregators, ['https://l.example', 'https://h.example']);
  assert.equal(fromEnv.readToken, 'from-env');
  const flagWins = await optionsOf(['--frame-ancestors', 'https://flag.example', '--read-token', 't'], env);
  assert.deepEqual(flagWins.widgetAncestors, ['https://flag.example']);
  assert.equal(flagWins.readToken, 't');
  const external = await optionsOf(['--collector', 'https://c.example'], env);
  assert.equal(external.readToken, undefined, "the collector's token is not needed when none is embedded");
});

test('http is a public origin only on the loopback interface', async () => {
  for (const url of ['http://localhost:8080', 'http://127.0.0.1', 'http://[::1]:5173', 'https://obscura.example/'])
    assert.equal((await optionsOf(['--public-url', url])).publicUrl, url);
});

test('wrong command lines are refused with the reason', async () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  await writeFile(join(dir, 'other.key'), other);
  const cases: [string[], RegExp][] = [
    [['--tls-cert', cert.certFile], /--tls-cert and --tls-key go together/],
    [['--tls-key', cert.keyFile], /--tls-cert and --tls-key go together/],
    [['--tls-cert', join(dir, 'none.crt'), '--tls-key', cert.keyFile], /cannot read the TLS certificate .*none\.crt/],
    [['--tls-cert', cert.certFile, '--tls-key', join(dir, 'other.key')], /not a usable PEM pair/],
    [['--public-url', 'http://obscura.example'], /must be https.*crypto\.subtle, service workers and storage access/],
    [['--public-url', 'https://obscura.example/app'], /must be an origin/],
    [['--public-url', 'obscura.example'], /not a URL/],
    [
      ['--public-url', 'http://localhost:5173', '--tls-cert', cert.certFile, '--tls-key', cert.keyFile],
      /the app serves https/,
    ],
    [['--frame-ancestors', 'https://a.example', '--widget-ancestors', 'https://b.example'], /give one/],
    [['--frame-ancestors', 'shop.example'], /--frame-ancestors: shop\.example is not an origin/],
    [['--widget-ancestors', 'https://a.example,news'], /--widget-ancestors: news is not an origin/],
    [['--collector', 'https://c.example', '--read-token', 't'], /--read-token configures the embedded collector/],
    [['--collector', 'https://c.example', '--codebooks', dir], /--codebooks configures the embedded collector/],
    [['--codebooks', join(dir, 'missing')], /is not a folder/],
    [['--port', 'http'], /--port http is not a port/],
    [['--public-url'], /argument missing|--public-url/],
    [['--bind', '0.0.0.0'], /Unknown option '--bind'/],
  ];
  for (const [argv, reason] of cases) await assert.rejects(parseStartArgs(argv, {}), reason, argv.join(' '));
});

test('--tasks FILE reaches the embedded collector; a bad one is refused naming file, task and field', async () => {
  const good = join(dir, 'tasks.json');
  await writeFile(good, JSON.stringify([{ scope: 'faces', mechanism: 'privunit', epsilon: [1, 2] }]));
  assert.equal((await optionsOf(['--tasks', good])).tasks, good);
  const bad = join(dir, 'bad-tasks.json');
  await writeFile(bad, JSON.stringify([{ scope: 'faces', mechanism: 'gaussian', epsilon: 1 }]));
  await assert.rejects(parseStartArgs(['--tasks', bad], {}), {
    name: 'InvalidTaskError',
    message: /bad-tasks\.json: task 0 \("faces"\): delta: a gaussian task needs one/,
  });
  await assert.rejects(parseStartArgs(['--collector', 'https://c.example', '--tasks', good], {}), /--tasks configures/);
  const started = await start(['--tasks', bad, '--skip-build']);
  assert.equal(started.code, 2);
  assert.match(started.stderr, /^start: .*bad-tasks\.json: task 0 \("faces"\): delta/);
  // A codebook the embedded collector does not have is found once the codebooks are read: exit 2 as well.
  const unknown = join(dir, 'unknown-codebook.json');
  await writeFile(unknown, JSON.stringify([{ scope: 'labels', mechanism: 'krr', epsilon: 1, codebook: 'none-such' }]));
  const refused = await start(['--tasks', unknown, '--skip-build', '--memory', '--port', '0', '--collector-port', '0']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /unknown-codebook\.json: task 0 \("labels"\): codebook: "none-such"/);
});

/** Runs scripts/start.ts with `argv` to its exit. */
async function start(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...argv], {
    cwd: resolve(import.meta.dirname, '../../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

test('npm start exits 2 on a wrong command line, before building or listening, and says why', async () => {
  const http = await start(['--public-url', 'http://obscura.example', '--skip-build']);
  assert.equal(http.code, 2);
  assert.match(http.stderr, /^start: --public-url http:\/\/obscura\.example: the app's origin must be https/);
  assert.match(http.stderr, /secure contexts/);
  const half = await start(['--tls-key', cert.keyFile]);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--tls-cert and --tls-key go together/);
  const help = await start(['--help']);
  assert.equal(help.code, 0);
  for (const flag of [
    '--public-url',
    '--host',
    '--tls-cert',
    '--tls-key',
    '--frame-ancestors',
    '--read-token',
    '--tasks',
  ])
    assert.ok(help.stdout.includes(flag), flag);
  assert.match(help.stdout, /collector serves HTTPS with the same pair/);
});
