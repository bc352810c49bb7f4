/**
 * The frame's messages to the host page: their one schema, which the host-side loader runs on
 * every message it hears and which types every message the frame posts. Written with
 * message-checks.ts rather than zod, which would take the loader over its 5 KB gzip budget.
 */
import { literal, looseObject, number, oneOf, optional, string, strictObject, type Checked } from './message-checks';
import { PROTOCOL, PROTOCOL_VERSION } from './protocol-version';

const envelope = { protocol: literal(PROTOCOL), v: literal(PROTOCOL_VERSION) };

export const isFrameMessage = oneOf(
  strictObject({ ...envelope, type: literal('ready'), hostOrigin: string }),
  /** The report itself is checked against the full report schema inside the iframe before it is posted. */
  strictObject({
    ...envelope,
    type: literal('report'),
    report: looseObject({ v: number(), id: string, scope: string }),
  }),
  strictObject({
    ...envelope,
    type: literal('budget'),
    budget: strictObject({ scope: string, total: number(), remaining: number(), spent: number(), releases: number() }),
  }),
  strictObject({
    ...envelope,
    type: literal('error'),
    /** `scope`: on a declared-task refusal, the host's own scope name the collector must declare. */
    error: strictObject({ name: string, message: string, scope: optional(string) }),
  }),
  strictObject({ ...envelope, type: literal('resize'), height: number(0, 10000) }),
);
export type FrameMessage = Checked<typeof isFrameMessage>;

type Body<T> = T extends unknown ? Omit<T, 'protocol' | 'v'> : never;

export function frameMessage(body: Body<FrameMessage>): FrameMessage {
  return { protocol: PROTOCOL, v: PROTOCOL_VERSION, ...body } as FrameMessage;
}
