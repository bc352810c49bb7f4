// privatize: the report names the model the vector came from; `privatize | head` ends quietly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isReport } from '../../support/is-report';
import { cli } from './support';

const MODEL = { id: 'mobilenet_v2', layer: 'block_12_add', dims: 4 };
const vector = [0.5, 0.1, -0.3, 0.8];

test('privatize takes the model from an extract --clean line, else --model/--layer, else external/input', async () => {
  const input = [
    JSON.stringify({ file: 'a.png', model: MODEL, clean: vector }),
    JSON.stringify({ vector }),
    JSON.stringify({ vector, model: { ...MODEL, dims: 3 } }),
    JSON.stringify({ vector, model: { id: 'x' } }),
  ].join('\n');
  const plain = await cli(['privatize', '--epsilon', '2', '--scope', 'pets'], input);
  assert.equal(plain.status, 1);
  assert.ok(isReport(plain.lines[0]) && isReport(plain.lines[1]));
  assert.deepEqual(plain.lines[0]!['model'], MODEL);
  assert.equal(plain.lines[0]!['scope'], 'pets');
  assert.deepEqual(plain.lines[1]!['model'], { id: 'external', layer: 'input', dims: 4 });
  assert.deepEqual(plain.lines[2], {
    line: 3,
    error: { name: 'InvalidVectorError', message: 'the model gives 3 values, the vector has 4' },
  });
  assert.match(JSON.stringify(plain.lines[3]), /expected \\"model\\" to be/);

  const flagged = await cli(
    ['privatize', '--epsilon', '2', '--model', 'mobilenet_v2', '--layer', 'block_12_add'],
    [JSON.stringify({ vector }), JSON.stringify({ vector, model: { ...MODEL, layer: 'out_relu' } })].join('\n'),
  );
  assert.deepEqual(flagged.lines[0]!['model'], MODEL);
  assert.match(
    JSON.stringify(flagged.lines[1]),
    /the line's model is mobilenet_v2\/out_relu, the flags say mobilenet_v2\/block_12_add/,
  );
});

test('privatize … | head: a closed pipe ends the command quietly with status 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-pipe-'));
  const input = join(dir, 'vectors.jsonl');
  // Far more output than a pipe buffer holds, so privatize is still writing when head exits.
  const line = JSON.stringify({ vector: Array.from({ length: 96 }, (_, i) => Math.sin(i)) });
  await writeFile(input, `${line}\n`.repeat(5000));
  const bin = join(process.cwd(), 'bin', 'obscura');
  const script =
    'set -o pipefail; "$0" privatize --epsilon 2 < "$1" 2>"$2" | head -n 2; echo "status ${PIPESTATUS[0]}"';
  const { stdout } = await promisify(execFile)('bash', ['-c', script, bin, input, join(dir, 'stderr')], {
    maxBuffer: 1 << 20,
  });
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 3, stdout.slice(0, 300));
  assert.ok(isReport(JSON.parse(lines[0]!)) && isReport(JSON.parse(lines[1]!)));
  assert.equal(lines[2], 'status 0');
  assert.equal(await readFile(join(dir, 'stderr'), 'utf8'), '', 'nothing on stderr');
});
