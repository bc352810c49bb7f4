import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { describeError, ObscuraError } from '../../errors';
import { cryptoRandomSource } from '../../privacy/random/random-source';
import { privatizeFeatures } from '../../report/privatize-features';
import type { CliIo } from '../cli-io';
import { writeJsonLine } from '../cli-io';
import { parsePrivacyFlags, PRIVACY_FLAGS } from '../privacy-options';

const OPTIONS = {
  ...PRIVACY_FLAGS,
  'model-id': { type: 'string', default: 'external' },
  layer: { type: 'string', default: 'input' },
} as const;

/**
 * `obscura privatize --mechanism M --epsilon E [--delta D] [--dims K]`: one JSON line
 * `{"vector":[...]}` in, one report out. A bad line gives `{"line", "error"}` and a
 * non-zero exit status; the other lines are still processed.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const options = parsePrivacyFlags(values);
  let line = 0;
  let failed = 0;
  for await (const text of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ObscuraError('InvalidVectorError', 'the line is not JSON');
      }
      const vector = (parsed as { vector?: unknown })?.vector;
      if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number')) {
        throw new ObscuraError('InvalidVectorError', 'expected {"vector": [numbers]}');
      }
      const model = { id: values['model-id'], layer: values.layer, dims: vector.length };
      writeJsonLine(io.stdout, privatizeFeatures(vector, model, options, cryptoRandomSource));
    } catch (err) {
      failed++;
      writeJsonLine(io.stdout, { line, error: describeError(err) });
    }
  }
  return failed > 0 ? 1 : 0;
}
