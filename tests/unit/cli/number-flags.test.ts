// Numeric flags of every command take plain decimal numbers only: Number() alone would read
// `--epsilon 0x10` as 16, a blank as 0 and `Infinity` as a number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integerFlag, numberFlag } from '../../../src/number-flag';
import { cli } from './support';

/** Texts Number() turns into a number (or that fail it only later) that a flag must refuse. */
const NOT_DECIMAL = [
  '0x10',
  '0X1f',
  '0o17',
  '0b11',
  '',
  '   ',
  'Infinity',
  '-Infinity',
  'NaN',
  ' 2',
  '2 ',
  '1_000',
  '1e999',
];

test('numberFlag takes plain decimals and refuses everything else, naming the flag and the text', () => {
  for (const [text, value] of [
    ['2', 2],
    ['0.5', 0.5],
    ['1e-6', 1e-6],
    ['1E3', 1000],
    ['-3', -3],
    ['+4', 4],
    ['.25', 0.25],
    ['7.', 7],
    ['007', 7],
  ] as const)
    assert.equal(numberFlag('epsilon', text), value, text);
  for (const text of NOT_DECIMAL)
    assert.throws(
      () => numberFlag('epsilon', text),
      (err: Error) =>
        err.name === 'InvalidParameterError' && err.message.includes('--epsilon') && err.message.includes(`"${text}"`),
      JSON.stringify(text),
    );
});

test('integerFlag adds integrality and a range to the same syntax', () => {
  assert.equal(integerFlag('batch', '8', 1, 64), 8);
  assert.equal(integerFlag('batch', '1e1', 1, 64), 10);
  assert.equal(integerFlag('dims', '4096', 2), 4096);
  assert.throws(() => integerFlag('batch', '0x10', 1, 64), /--batch must be a plain decimal number.*"0x10"/);
  assert.throws(() => integerFlag('batch', '2.5', 1, 64), /--batch must be an integer from 1 to 64, got "2.5"/);
  assert.throws(() => integerFlag('batch', '65', 1, 64), /--batch must be an integer from 1 to 64, got "65"/);
  assert.throws(() => integerFlag('dims', '1', 2), /--dims must be an integer >= 2, got "1"/);
});

/** Each command with valid flags; each numeric flag among them in turn gets a bad value. */
const COMMANDS: { args: string[]; flags: string[]; stdin?: string }[] = [
  {
    args: ['privatize', '--mechanism=gaussian', '--epsilon=1', '--delta=1e-7', '--clip=1', '--dims=2'],
    flags: ['epsilon', 'delta', 'clip', 'dims'],
    stdin: '{"vector":[0.5,0.1,-0.3,0.8]}\n',
  },
  { args: ['privatize', '--mechanism=krr', '--codebook=missing.json', '--epsilon=1'], flags: ['epsilon'] },
  {
    args: ['calibrate', '--mechanism=gaussian', '--epsilon=1', '--delta=1e-7', '--dims=8', '--clip=1'],
    flags: ['epsilon', 'delta', 'dims', 'clip'],
  },
  {
    args: ['calibrate', '--mechanism=gaussian', '--epsilon=1', '--delta=1e-7', '--sensitivity=1'],
    flags: ['sensitivity'],
  },
  {
    args: ['extract', '--batch=1', '--mechanism=privunit', '--epsilon=1', 'missing-folder'],
    flags: ['batch', 'epsilon'],
  },
  { args: ['codebook', 'build', '--batch=8', '--labels', 'missing-a', 'missing-b'], flags: ['batch'] },
  {
    args: [
      'send',
      '--collector=http://127.0.0.1:1',
      '--concurrency=8',
      '--max-attempts=10',
      '--backoff-base=500',
      '--backoff-cap=60000',
      '--timeout=30000',
    ],
    flags: ['concurrency', 'max-attempts', 'backoff-base', 'backoff-cap', 'timeout'],
  },
];

test('every numeric flag of every command refuses a value that is not plain decimal: exit 2 naming both', async () => {
  for (const { args, flags, stdin } of COMMANDS) {
    for (const flag of flags) {
      for (const text of ['0x10', '0o7', '0b1', '', '  ', 'Infinity', ' 8']) {
        const given = args.map((a) => (a.startsWith(`--${flag}=`) ? `--${flag}=${text}` : a));
        const { status, stdout, stderr } = await cli(given, stdin);
        const what = given.join(' ');
        assert.equal(status, 2, `${what}: ${stderr}`);
        assert.match(stderr, /InvalidParameterError/, what);
        assert.ok(stderr.includes(`--${flag} `) && stderr.includes(`"${text}"`), `${what}: ${stderr}`);
        assert.equal(stdout, '', `${what}: nothing was released`);
      }
    }
  }
});

test('a plain decimal in any form still works: calibrate at ε = 1e0, δ = 1.0e-7, 8. coordinates', async () => {
  const args = ['--mechanism=gaussian', '--epsilon=1e0', '--delta=1.0e-7', '--dims=8.'];
  const { status, lines } = await cli(['calibrate', ...args]);
  assert.equal(status, 0);
  const same = await cli(['calibrate', '--mechanism=gaussian', '--epsilon=1', '--delta=1e-7', '--dims=8']);
  assert.deepEqual(lines, same.lines);
});
