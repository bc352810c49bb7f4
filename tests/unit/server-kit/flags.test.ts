// One way the servers read their command line: a flag, else its environment variable, else the
// default; a flag that does not parse is an InvalidParameterError (the commands exit 2 on it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFlags } from '../../../server-kit/flags';

const SPEC = {
  port: { type: 'string', env: 'TEST_PORT', default: '5174' },
  memory: { type: 'boolean', default: false },
  'allow-origin': { type: 'string', multiple: true, default: ['http://localhost:5173'] },
  token: { type: 'string', env: 'TEST_TOKEN' },
} as const;

test('a flag wins over its environment variable, which wins over the default', () => {
  const env = { TEST_PORT: '6000' };
  assert.equal(readFlags(['--port', '7000'], env, SPEC).values.port, '7000');
  assert.equal(readFlags([], env, SPEC).values.port, '6000');
  assert.equal(readFlags([], {}, SPEC).values.port, '5174');
  assert.equal(readFlags([], { TEST_PORT: '' }, SPEC).values.port, '5174', 'an empty variable is not a value');
  assert.equal(readFlags([], {}, SPEC).values.token, undefined);
  assert.equal(readFlags([], {}, SPEC).values.memory, false);
  assert.equal(readFlags(['--memory'], {}, SPEC).values.memory, true);
});

test('lists take every occurrence, and the default list is a copy', () => {
  const given = readFlags(['--allow-origin', 'https://a.example', '--allow-origin', 'https://b.example'], {}, SPEC);
  assert.deepEqual(given.values['allow-origin'], ['https://a.example', 'https://b.example']);
  const first = readFlags([], {}, SPEC).values['allow-origin']!;
  first.push('https://changed.example');
  assert.deepEqual(readFlags([], {}, SPEC).values['allow-origin'], ['http://localhost:5173']);
});

test('unknown flags, missing values and unexpected positionals are InvalidParameterError', () => {
  for (const argv of [['--nope'], ['--port'], ['serve']])
    assert.throws(() => readFlags(argv, {}, SPEC), { name: 'InvalidParameterError' }, argv.join(' '));
  assert.deepEqual(readFlags(['repair'], {}, SPEC, { positionals: true }).positionals, ['repair']);
});
