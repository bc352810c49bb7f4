/**
 * The host-side check of frame messages, without zod: the loader must stay under 5 KB
 * gzip and zod/mini alone weighs 7 KB. It accepts exactly what `frameMessageSchema`
 * accepts; tests/unit/widget/protocol.test.ts holds the two to agreement on generated
 * messages, so the zod schema stays the one definition.
 */
import type { FrameMessage } from './protocol';
import { PROTOCOL, PROTOCOL_VERSION } from './protocol-version';

type Check = (value: unknown) => boolean;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isString: Check = (v) => typeof v === 'string';

/** Exactly these keys (strict) or at least these keys (loose), each passing its check. */
function shape(fields: Record<string, Check>, strict = true): Check {
  return (v) =>
    isRecord(v) &&
    Object.entries(fields).every(([k, check]) => k in v && check(v[k])) &&
    (!strict || Object.keys(v).every((k) => k in fields));
}

/** The error's optional key: absent, or present as the schema's z.optional (undefined or a string). */
const SCOPE = { scope: (v: unknown) => v === undefined || isString(v) };

const BODIES: Record<FrameMessage['type'], Record<string, Check>> = {
  ready: { hostOrigin: isString },
  report: { report: shape({ v: isNumber, id: isString, scope: isString }, false) },
  budget: {
    budget: shape({ scope: isString, total: isNumber, remaining: isNumber, spent: isNumber, releases: isNumber }),
  },
  error: { error: (v) => isRecord(v) && shape({ name: isString, message: isString, ...('scope' in v && SCOPE) })(v) },
  resize: { height: (v) => isNumber(v) && (v as number) >= 0 && (v as number) <= 10000 },
};

export function isFrameMessage(value: unknown): value is FrameMessage {
  if (!isRecord(value) || value['protocol'] !== PROTOCOL || value['v'] !== PROTOCOL_VERSION) return false;
  const type = value['type'];
  if (typeof type !== 'string' || !Object.hasOwn(BODIES, type)) return false;
  const body = BODIES[type as FrameMessage['type']];
  return shape({ protocol: isString, v: isNumber, type: isString, ...body })(value);
}
