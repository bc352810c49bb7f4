import { parseArgs } from 'node:util';
import { ObscuraError } from '../../errors';
import { hostOriginOf, hostScopeName } from '../../report/host-scope-name';
import type { CliIo } from '../cli-io';
import { writeJsonLine } from '../cli-io';

const OPTIONS = {
  origin: { type: 'string' },
  scope: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/**
 * `obscura widget-scope --origin https://shop.example [--scope photos] [--json]` → the scope a
 * widget on that host page sends its reports to (`site:https_3A_2F_2Fshop.example:photos`),
 * which a collector's tasks file must declare; `--json` prints {"scope"}. The name comes from
 * hostScopeName, the function the frame uses. Without `--scope`, the widget's default scope (`default`).
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  if (values.origin === undefined) throw new ObscuraError('InvalidParameterError', '--origin is required');
  const origin = hostOriginOf(values.origin);
  if (origin === undefined)
    throw new ObscuraError(
      'InvalidParameterError',
      `--origin must be the host page's origin, such as https://shop.example, got "${values.origin}"`,
    );
  const scope = hostScopeName(origin, values.scope);
  if (values.json) writeJsonLine(io.stdout, { scope });
  else io.stdout.write(`${scope}\n`);
  return 0;
}
