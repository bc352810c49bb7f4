// The privatize and calibrate commands' run(args, io), called directly with in-memory streams.
import { test } from 'node:test';
import { calibrateAnalyticGaussian } from '../../../src/privacy/mechanisms/gaussian';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { run as privatize } from '../../../src/cli/commands/privatize';
import { run as calibrate } from '../../../src/cli/commands/calibrate';
import { parsePrivacyFlags } from '../../../src/cli/privacy-options';
import { isReport } from '../../support/is-report';

async function call(
  command: typeof privatize,
  args: string[],
  stdin = '',
): Promise<{ status: number; lines: Record<string, unknown>[] }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c) => (out += c));
  const status = await command(args, { stdin: Readable.from([stdin]), stdout, stderr: new PassThrough() });
  return {
    status,
    lines: out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test('privatize: reports per line, a bad line is reported with its number and the status is non-zero', async () => {
  const input = '{"vector":[1,2,3,4]}\n{"vector":[1,"x"]}\n{"vector":[0,0,1,0]}\n';
  const { status, lines } = await call(
    privatize,
    ['--mechanism', 'laplace', '--epsilon', '1', '--clip', '2', '--scope', 'batch-1'],
    input,
  );
  assert.equal(status, 1);
  assert.ok(isReport(lines[0]) && isReport(lines[2]));
  assert.equal((lines[0]!['mechanism'] as Record<string, unknown>)['clip'], 2);
  assert.equal(lines[0]!['scope'], 'batch-1');
  assert.equal(lines[1]!['line'], 2);
  assert.equal((lines[1]!['error'] as { name: string }).name, 'InvalidVectorError');
  const ok = await call(privatize, ['--mechanism', 'privunit', '--epsilon', '1'], '{"vector":[1,2]}\n');
  assert.equal(ok.status, 0);
});

test('calibrate: gaussian σ at the analytic optimum, privunit (p, γ, scale, expectedMse), laplace grid', async () => {
  const g = await call(calibrate, [
    '--mechanism',
    'gaussian',
    '--epsilon',
    '1',
    '--delta',
    '1e-6',
    '--sensitivity',
    '1',
  ]);
  // The analytic Gaussian's σ for Δ = 1 (Balle & Wang 2018) at ε less 2^−20 and δ less 2^−80: 4.2247, where
  // the zCDP conversion needed 5.350; ρ = μ²/2 with μ = Δ/σ.
  const sigma = calibrateAnalyticGaussian(1 - 2 ** -20, 1e-6 - 2 ** -80, 1);
  assert.ok(Math.abs((g.lines[0]!['sigma'] as number) - sigma) < 1e-9);
  assert.ok(Math.abs((g.lines[0]!['sigma'] as number) - 4.2247) < 1e-4);
  assert.ok(Math.abs((g.lines[0]!['rho'] as number) - 1 / (2 * sigma * sigma)) < 1e-12);
  const gd = await call(calibrate, ['--mechanism', 'gaussian', '--epsilon', '1', '--delta', '1e-6', '--dims', '64']);
  assert.deepEqual(Object.keys(gd.lines[0]!).sort(), ['expectedMse', 'rho', 'sigma', 'step']);
  await assert.rejects(
    call(calibrate, ['--mechanism', 'gaussian', '--epsilon', '1e-9', '--delta', '0.9', '--sensitivity', '1']),
    { name: 'InvalidParameterError' },
  );
  const p = await call(calibrate, ['--mechanism', 'privunit', '--epsilon', '4', '--dims', '64']);
  assert.deepEqual(Object.keys(p.lines[0]!).sort(), ['expectedMse', 'gamma', 'p', 'scale']);
  const l = await call(calibrate, ['--mechanism', 'laplace', '--epsilon', '1', '--dims', '64']);
  assert.deepEqual(Object.keys(l.lines[0]!).sort(), ['b', 'bound', 'expectedMse', 'step', 't']);
});

test('the shared flag parser: mechanism params, projection dims, typed errors', () => {
  assert.deepEqual(parsePrivacyFlags({ mechanism: 'gaussian', epsilon: '2', delta: '1e-6', dims: '64' }), {
    mechanism: { name: 'gaussian', epsilon: 2, delta: 1e-6 },
    dims: 64,
  });
  assert.deepEqual(parsePrivacyFlags({ epsilon: '1' }), { mechanism: { name: 'privunit', epsilon: 1 } });
  assert.throws(() => parsePrivacyFlags({ mechanism: 'laplace', epsilon: '-1' }), { name: 'InvalidParameterError' });
  assert.throws(() => parsePrivacyFlags({ mechanism: 'privunit', epsilon: '1', dims: '1' }), {
    name: 'InvalidParameterError',
  });
});
