/**
 * The frame's end of the protocol: it hears only its parent, from the host origin, and
 * only `configure` messages that pass the schema; it posts only to the host origin. Any other
 * message of the protocol from the host (a forged release, grant or training confirmation) is
 * refused with InvalidParameterError and changes nothing.
 */
import { PROTOCOL, frameMessage, hostMessageSchema, type FrameMessage, type WidgetConfig } from '../protocol';
import { hostSafeError } from './host-error';

type Body<T> = T extends unknown ? Omit<T, 'protocol' | 'v'> : never;

export class HostLink {
  private readonly onMessage = (event: MessageEvent): void => {
    if (event.source !== window.parent || event.origin !== this.hostOrigin) return;
    const parsed = hostMessageSchema.safeParse(event.data);
    if (parsed.success) this.onConfigure(parsed.data.config);
    else if (isConfigureAttempt(event.data)) {
      // The host's own attributes were wrong: say so, so the host's developer can see why.
      this.post({ type: 'error', error: { name: 'InvalidParameterError', message: configureRefusal(parsed.error) } });
    } else if (isProtocolAttempt(event.data)) {
      // A message of the protocol the host may not send (release, grant, a training label): refused, never obeyed.
      this.post({ type: 'error', error: { name: 'InvalidParameterError', message: OTHER_MESSAGE_REFUSAL } });
    }
  };

  constructor(
    readonly hostOrigin: string,
    private readonly onConfigure: (config: WidgetConfig) => void,
  ) {
    addEventListener('message', this.onMessage);
  }

  post(body: Body<FrameMessage>): void {
    if (window.parent === window) return;
    window.parent.postMessage(frameMessage(body), this.hostOrigin);
  }

  postError(err: unknown): void {
    this.post({ type: 'error', error: hostSafeError(err, this.hostOrigin) });
  }

  close(): void {
    removeEventListener('message', this.onMessage);
  }
}

function isConfigureAttempt(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'configure';
}

/** A message in the widget's protocol, whatever its type (the host's words; nothing of them is echoed). */
function isProtocolAttempt(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { protocol?: unknown }).protocol === PROTOCOL;
}

/** The answer to any message but configure: the person's clicks in the frame do everything else. */
export const OTHER_MESSAGE_REFUSAL =
  'the host may only send configure; releases, grants and training labels are the person’s clicks in the frame';

/** What each kind of schema issue says, in fixed words. */
const ISSUE_WORDS: Readonly<Record<string, string>> = {
  invalid_type: 'wrong type',
  unrecognized_keys: 'unknown key',
  too_big: 'too large',
  too_small: 'too small',
  invalid_format: 'wrong format',
  invalid_value: 'not an allowed value',
  not_multiple_of: 'not an allowed step',
  invalid_union: 'wrong type',
  invalid_key: 'wrong key',
  invalid_element: 'wrong element',
};

/**
 * Why a host's configure was refused, in the schema's words: the path names the schema's own keys
 * (an unknown key is reported at its parent) and the issue's kind is said in fixed words. zod's own
 * message is not used: whether it names the host's keys or values depends on which locale another
 * module loaded into the same realm, and it must never carry anything of the person's.
 */
export function configureRefusal(error: {
  issues: readonly { path: readonly PropertyKey[]; code?: string }[];
}): string {
  const first = error.issues[0];
  if (!first) return 'the configuration is not valid';
  const words = (first.code !== undefined && ISSUE_WORDS[first.code]) || 'not valid';
  return `configure: ${first.path.map(String).join('.') || '(message)'}: ${words}`;
}
