import { parseArgs } from 'node:util';
import { ObscuraError } from '../../errors';
import { hostScopeName } from '../../widget/frame/host-scope';
import type { CliIo } from '../cli-io';
import { writeJsonLine } from '../cli-io';

const OPTIONS = {
  origin: { type: 'string' },
  scope: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/**
 * The origin a host page has, as its browser serialises it (`https://Shop.example:443/` is
 * `https://shop.example`), which is what the frame escapes. Anything with a path, query or
 * fragment is refused, not trimmed: the widget's scope depends on the origin alone.
 */
function hostOrigin(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new ObscuraError(
      'InvalidParameterError',
      `--origin must be the host page's origin, such as https://shop.example, got "${text}"`,
    );
  }
  return url.origin;
}

/**
 * `obscura widget-scope --origin https://shop.example [--scope photos] [--json]` → the scope a
 * widget on that host page sends its reports to (`site:https_3a_2f_2fshop.example:photos`),
 * which a collector's tasks file must declare; `--json` prints {"scope"}. The name comes from
 * the frame's own hostScopeName. Without `--scope`, the widget's default scope (`default`).
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  if (values.origin === undefined) throw new ObscuraError('InvalidParameterError', '--origin is required');
  const scope = hostScopeName(hostOrigin(values.origin), values.scope);
  if (values.json) writeJsonLine(io.stdout, { scope });
  else io.stdout.write(`${scope}\n`);
  return 0;
}
