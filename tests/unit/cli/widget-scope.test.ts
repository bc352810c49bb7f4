// obscura widget-scope: the scope a widget on a host page reports to, as the frame names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../../src/cli/main';
import { hostScopeName } from '../../../src/widget/frame/host-scope';

/** Runs the CLI in this process; the command's text output is not JSON, so it is kept as written. */
async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const status = await main(args, { stdin: Readable.from(['']), stdout, stderr });
  return { status, stdout: out, stderr: err };
}

test('widget-scope prints the escaped scope name, the one the frame uses, as text or as JSON', async () => {
  const text = await cli(['widget-scope', '--origin', 'https://shop.example', '--scope', 'photos']);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout, 'site:https_3A_2F_2Fshop.example:photos\n');
  assert.equal(text.stdout.trim(), hostScopeName('https://shop.example', 'photos'));
  assert.equal(text.stderr, '');

  const json = await cli(['widget-scope', '--origin', 'http://127.0.0.1:8080', '--scope', 'photos', '--json']);
  assert.equal(json.status, 0, json.stderr);
  assert.equal(json.stdout, '{"scope":"site:http_3A_2F_2F127.0.0.1_3A8080:photos"}\n');
});

test('widget-scope takes the origin as the browser serialises it, and the widget’s default scope', async () => {
  // Case, the default port and a bare trailing slash are what the browser drops from an origin.
  const { status, stdout } = await cli(['widget-scope', '--origin', 'HTTPS://Shop.Example:443/']);
  assert.equal(status, 0);
  assert.equal(stdout, `${hostScopeName('https://shop.example', 'default')}\n`);
});

test('widget-scope: a missing or wrong origin, a bad scope or an unknown flag is a usage error (exit 2)', async () => {
  for (const [args, why] of [
    [[], /--origin is required/],
    [['--origin', 'shop.example'], /--origin must be the host page's origin/],
    [['--origin', 'https://shop.example/photos'], /got "https:\/\/shop\.example\/photos"/],
    [['--origin', 'https://shop.example?x=1'], /--origin must be/],
    [['--origin', 'ftp://shop.example'], /--origin must be/],
    [['--origin', 'https://shop.example', '--scope', 'a:b'], /expected a scope of 1 to 64 letters/],
    [['--origin', 'https://shop.example', '--scope', ''], /expected a scope of 1 to 64 letters/],
    [['--origin', `https://${'a'.repeat(120)}.example`], /too long for a scope name/],
    [['--origin', 'https://shop.example', '--pretty'], /Unknown option '--pretty'/],
  ] as const) {
    const { status, stdout, stderr } = await cli(['widget-scope', ...args]);
    assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, why);
  }
});

test('./bin/obscura widget-scope runs from the shell and is listed in the usage', async () => {
  const bin = join(import.meta.dirname, '../../../bin/obscura');
  const { stdout } = await promisify(execFile)(bin, ['widget-scope', '--origin', 'https://shop.example', '--json']);
  assert.deepEqual(JSON.parse(stdout), { scope: 'site:https_3A_2F_2Fshop.example:default' });
  const help = await cli(['--help']);
  assert.match(help.stdout, /obscura widget-scope --origin https:\/\/shop\.example \[--scope S\] \[--json\]/);
});
