// The collector command's numeric flags are plain decimal integers: Number() alone would take "0x10" as 16 and
// turn "abc" into NaN, which silently switches the rate limit off and lifts the body-size limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

async function exitOf(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'collector/main.ts', '--memory', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  // A collector that started is a failure of this test: it is stopped as soon as it says where it listens.
  child.stderr.on('data', () => {
    if (/\/reports, dashboard/.test(stderr)) child.kill('SIGTERM');
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr };
}

for (const [flag, value] of [
  ['--rate-limit', 'abc'],
  ['--max-body', 'abc'],
  ['--max-body', '0x100'],
  ['--pool', '1.5'],
  ['--port', '0x10'],
] as const) {
  test(`${flag} ${value} is a usage error (exit 2) naming the flag`, async () => {
    const { code, stderr } = await exitOf(['--port', '0', flag, value]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, new RegExp(`--${flag.slice(2)} must be`));
  });
}
