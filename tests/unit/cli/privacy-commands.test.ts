// obscura privatize / calibrate / extract with privacy flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { isReport } from '../../support/is-report';
import { SKIMAGE_DIR } from '../../support/data-paths';

async function cli(
  args: string[],
  stdin = '',
): Promise<{ status: number; lines: Record<string, unknown>[]; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const status = await main(args, { stdin: Readable.from([stdin]), stdout, stderr });
  return {
    status,
    lines: out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: err,
  };
}

test('privatize: one schema-valid report per line; bad lines give errors and exit 1', async () => {
  const input = ['{"vector":[0.5,0.1,-0.3,0.8]}', '{"vector":[1,null]}', '{"vector":[1,2,3,4]}', ''].join('\n');
  for (const [mechanism, extra] of [
    ['privunit', []],
    ['gaussian', ['--delta', '1e-6']],
    ['laplace', []],
  ] as const) {
    const { status, lines } = await cli(['privatize', '--mechanism', mechanism, '--epsilon', '2', ...extra], input);
    assert.equal(status, 1);
    assert.equal(lines.length, 3);
    assert.ok(isReport(lines[0]) && isReport(lines[2]), JSON.stringify(lines[0]));
    assert.deepEqual(lines[1], {
      line: 2,
      error: { name: 'InvalidVectorError', message: 'expected {"vector": [numbers]}' },
    });
    const mech = lines[0]!['mechanism'] as Record<string, number | string>;
    assert.equal(mech['name'], mechanism);
    assert.equal(mech['epsilon'], 2);
    assert.notEqual(lines[0]!['id'], lines[2]!['id']);
  }
});

test('privatize --dims projects with the public projection, whose id travels in the report', async () => {
  const vector = Array.from({ length: 96 }, (_, i) => Math.cos(i));
  const { status, lines } = await cli(
    ['privatize', '--mechanism', 'privunit', '--epsilon', '4', '--dims', '16'],
    JSON.stringify({ vector }),
  );
  assert.equal(status, 0);
  assert.deepEqual(lines[0]!['projection'], { id: 'rorth-20261122-96x16', dims: 16 });
  assert.equal((lines[0]!['vector'] as number[]).length, 16);
});

test('bad privacy flags are typed errors with the valid values', async () => {
  const cases: [string[], RegExp][] = [
    [
      ['--mechanism', 'rappor', '--epsilon', '1'],
      /--mechanism must be one of privunit, gaussian, laplace, got "rappor"/,
    ],
    [['--mechanism', 'privunit', '--epsilon', '0'], /epsilon must be a number in \[0.01, 16\], got 0/],
    [['--mechanism', 'privunit', '--epsilon', '1e-16'], /epsilon must be a number in \[0.01, 16\], got 1e-16/],
    [['--mechanism', 'laplace', '--epsilon', '17'], /epsilon must be a number in \[0.01, 16\], got 17/],
    [
      ['--mechanism', 'privunit', '--epsilon', 'abc'],
      /--epsilon must be a plain decimal number \(like 2, 0.5 or 1e-6\), got "abc"/,
    ],
    [['--mechanism', 'privunit'], /--epsilon is required/],
    [['--mechanism', 'gaussian', '--epsilon', '1'], /--delta is required/],
    [['--mechanism', 'gaussian', '--epsilon', '1', '--delta', '1.5'], /delta must be a number in \[1e-15, 0.000001\]/],
    [['--mechanism', 'gaussian', '--epsilon', '1', '--delta', '0.9'], /the device-wide target\), got 0.9/],
    [['--mechanism', 'gaussian', '--epsilon', '1e-9', '--delta', '0.9'], /epsilon must be a number in \[0.01, 16\]/],
    [['--mechanism', 'laplace', '--epsilon', '1', '--delta', '0.1'], /--delta applies to the gaussian mechanism only/],
  ];
  for (const [flags, message] of cases) {
    const { status, stderr } = await cli(['privatize', ...flags], '{"vector":[1,2]}');
    assert.equal(status, 2, flags.join(' '));
    assert.match(stderr, /InvalidParameterError/);
    assert.match(stderr, message);
  }
});

test('finding 1 through the real bin: privatize at ε = 1e-9, δ = 0.9 exits non-zero with a typed error', async () => {
  const bin = join(process.cwd(), 'bin', 'obscura');
  const child = spawn(bin, ['privatize', '--mechanism', 'gaussian', '--epsilon', '1e-9', '--delta', '0.9'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end('{"vector":[0.5,0.1,-0.3,0.8]}\n');
  const [code] = (await once(child, 'close')) as [number | null];
  assert.notEqual(code, 0);
  assert.match(stderr, /InvalidParameterError: epsilon must be a number in \[0.01, 16\], got 1e-9/);
  assert.equal(stdout, '', 'no report was printed');
});

test('calibrate prints the analytic Gaussian σ and PrivUnit parameters; out-of-range ε or δ is refused', async () => {
  const gauss = await cli([
    'calibrate',
    '--mechanism',
    'gaussian',
    '--epsilon',
    '1',
    '--delta',
    '1e-6',
    '--sensitivity',
    '1',
  ]);
  assert.ok(Math.abs((gauss.lines[0]!['sigma'] as number) - 4.2247) < 0.001);
  const refused = await cli([
    'calibrate',
    '--mechanism',
    'gaussian',
    '--epsilon',
    '1',
    '--delta',
    '0.5',
    '--dims',
    '8',
  ]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /InvalidParameterError: delta must be/);
  const pu = await cli(['calibrate', '--mechanism', 'privunit', '--epsilon', '2', '--dims', '96']);
  assert.deepEqual(Object.keys(pu.lines[0]!).sort(), ['expectedMse', 'gamma', 'p', 'scale']);
  const lap = await cli(['calibrate', '--mechanism', 'laplace', '--epsilon', '1', '--dims', '96']);
  assert.ok((lap.lines[0]!['step'] as number) > 0);
  const bad = await cli(['calibrate', '--mechanism', 'privunit', '--epsilon', '2']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--dims is required/);
});

test('extract with privacy flags prints the report instead of the clean vector, or with it if --clean', async () => {
  const run = promisify(execFile);
  const bin = join(process.cwd(), 'bin', 'obscura');
  const photo = join(SKIMAGE_DIR, 'chelsea.png');
  const only = JSON.parse(
    (await run(bin, ['extract', '--mechanism', 'privunit', '--epsilon', '4', photo])).stdout,
  ) as Record<string, unknown>;
  assert.deepEqual(Object.keys(only).sort(), ['file', 'model', 'report']);
  assert.ok(isReport(only['report']));
  const both = JSON.parse(
    (await run(bin, ['extract', '--clean', '--mechanism', 'gaussian', '--epsilon', '1', '--delta', '1e-6', photo]))
      .stdout,
  ) as Record<string, unknown>;
  assert.deepEqual(Object.keys(both).sort(), ['clean', 'file', 'model', 'report']);
  assert.deepEqual((both['report'] as { model: unknown }).model, both['model']);
});
