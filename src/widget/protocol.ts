/**
 * The widget's postMessage protocol, version 1: the only words the host page and the
 * Obscura iframe say to each other. Each side parses every message it hears by that message's
 * one schema and drops anything else: the iframe the host's configure by the zod schema here,
 * the host-side loader the frame's messages by frame-message.ts (no zod, to keep it small).
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

/** A training task's id, as the collector declares it (train-task.ts) and its routes name it. */
export const TRAIN_TASK_ID = /^[A-Za-z0-9._-]{1,128}$/;

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
  /**
   * A training task the person may label picked images for (its collector is `endpoint`), and the
   * label the host suggests: preselected in the frame, kept only when the person confirms it there.
   */
  'train-task': z.optional(z.string().check(z.regex(TRAIN_TASK_ID))),
  'suggested-label': z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
});
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

export const hostMessageSchema = z.strictObject({
  ...envelope,
  type: z.literal('configure'),
  config: widgetConfigSchema,
});
export type HostMessage = z.infer<typeof hostMessageSchema>;

export { frameMessage, isFrameMessage, type FrameMessage } from './frame-message';
