/**
 * The widget's postMessage protocol, version 1: the only words the host page and the
 * Obscura iframe say to each other. Both sides parse every message with these schemas
 * (zod/mini, so the host-side loader stays small) and drop anything else.
 *
 * The host may only configure; it can never release, grant budget or turn on automatic
 * release: those exist only as clicks inside the iframe.
 */
import * as z from 'zod/mini';

import { PROTOCOL, PROTOCOL_VERSION } from './protocol-version';

export { PROTOCOL, PROTOCOL_VERSION };

const envelope = { protocol: z.literal(PROTOCOL), v: z.literal(PROTOCOL_VERSION) };
const scopeName = z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/));
/** A codebook the app serves at /codebooks/<id>.json: a file name, never a path or a URL. */
export const CODEBOOK_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** What the host may ask for; the iframe clamps it (a host may lower ε, never raise the budget). */
export const widgetConfigSchema = z.strictObject({
  scope: z.optional(scopeName),
  /** privunit, gaussian, laplace release a vector; krr, oue a category of `codebook`. */
  mechanism: z.optional(z.enum(['privunit', 'gaussian', 'laplace', 'krr', 'oue'])),
  epsilon: z.optional(z.number().check(z.positive(), z.lte(16))),
  delta: z.optional(z.number().check(z.gt(0), z.lt(1))),
  dims: z.optional(z.number().check(z.int(), z.positive(), z.lte(4096))),
  endpoint: z.optional(z.url({ protocol: /^https?$/ })),
  codebook: z.optional(z.string().check(z.regex(CODEBOOK_ID))),
  theme: z.optional(z.enum(['light', 'dark', 'auto'])),
});
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

export const hostMessageSchema = z.strictObject({
  ...envelope,
  type: z.literal('configure'),
  config: widgetConfigSchema,
});

const budgetSchema = z.strictObject({
  scope: z.string(),
  total: z.number(),
  remaining: z.number(),
  spent: z.number(),
  releases: z.number(),
});

/** The report itself is checked against the full report schema inside the iframe before it is posted. */
const reportShape = z.looseObject({ v: z.number(), id: z.string(), scope: z.string() });

export const frameMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...envelope, type: z.literal('ready'), hostOrigin: z.string() }),
  z.strictObject({ ...envelope, type: z.literal('report'), report: reportShape }),
  z.strictObject({ ...envelope, type: z.literal('budget'), budget: budgetSchema }),
  z.strictObject({
    ...envelope,
    type: z.literal('error'),
    /** `scope`: on a declared-task refusal, the host's own scope name the collector must declare. */
    error: z.strictObject({ name: z.string(), message: z.string(), scope: z.optional(z.string()) }),
  }),
  z.strictObject({ ...envelope, type: z.literal('resize'), height: z.number().check(z.gte(0), z.lte(10000)) }),
]);
export type FrameMessage = z.infer<typeof frameMessageSchema>;

type Body<T> = T extends unknown ? Omit<T, 'protocol' | 'v'> : never;

export function frameMessage(body: Body<FrameMessage>): FrameMessage {
  return { protocol: PROTOCOL, v: PROTOCOL_VERSION, ...body } as FrameMessage;
}
