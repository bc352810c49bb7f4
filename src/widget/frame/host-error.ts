/**
 * What a host page may be told of an error: its name and one fixed sentence per name. An
 * error's own message is written for the person and for logs; it may hold a file's name, its
 * size, an image's dimensions, a model URL or a budget's refill time, none of which the page
 * that embeds the widget may learn. A name outside the table becomes ObscuraError.
 *
 * The budget refusals say which budget refused but no numbers: the device-wide budget is drawn
 * on by the app and by every other site, so its remainder or refill time would tell this host
 * what others released, and when; the host's own scope's numbers reach it as obscura-budget.
 *
 * A refusal by the collector's declared tasks (UndeclaredScopeError, TaskMismatchError) also
 * gives the host the scope's full name (`scope`), so the host's developer learns what the
 * collector must declare. It is made of the host's own origin and its own `scope` attribute and
 * already reaches the host in obscura-budget; any other scope name is left out.
 *
 * Not here: a host's `configure` that fails the schema is answered by host-link.ts with the
 * schema's words about the host's own attributes (field names, and fixed words for the kind of
 * issue), which hold nothing of the person's.
 */
import { describeError, ERROR_NAMES, type ObscuraErrorName } from '../../errors';
import { WIDGET_ATTRIBUTES, type WidgetAttribute } from '../attributes';
import { isHostScope } from './host-scope';

export const DEVICE_BUDGET_REFUSAL = "this device's privacy budget does not allow this release now";
export const SCOPE_BUDGET_REFUSAL = "this site's privacy budget does not allow this release";
export const UNKNOWN_ERROR = { name: 'ObscuraError', message: 'the widget met an unexpected error' } as const;

const HOST_MESSAGES: Readonly<Record<ObscuraErrorName, string>> = {
  UnsupportedInputError: 'the chosen file is not an image the widget can read',
  DecodeError: 'the chosen image is damaged or incomplete',
  ImageTooLargeError: 'the chosen image is too large to process on this device',
  ImageTooSmallError: 'the chosen image is too small to describe',
  EmptyVideoError: 'the chosen video has no frames that could be read',
  CameraDeniedError: 'camera access was denied',
  NoCameraError: 'no camera is available',
  ModelLoadError: 'the feature model could not be loaded',
  UnknownModelError: 'the feature model is not one the widget knows',
  UnknownLayerError: 'the feature layer is not one the model has',
  BackendUnavailableError: 'none of the ways to run the model work in this browser',
  BackendFailedError: 'the way of running the model failed',
  AbortError: 'cancelled',
  InvalidParameterError: 'a privacy setting is out of range',
  InvalidVectorError: 'the features could not be prepared for release',
  InvalidReportError: 'the report did not pass its schema',
  InvalidCodebookError: 'the codebook is not valid',
  CodebookMismatchError: 'the codebook does not match the feature model',
  CodebookLoadError: 'the codebook could not be loaded',
  BudgetExhaustedError: DEVICE_BUDGET_REFUSAL,
  UnknownScopeError: 'this site has no budget on this device yet',
  ScopeExistsError: 'this site already has a budget on this device',
  StorageUnavailableError: 'this browser does not let the widget keep its privacy ledger',
  StorageFullError: "the browser's storage is full",
  OutboxFullError: 'too many reports are waiting to be sent',
  UnknownContentError: 'the image is no longer held by the widget; choose it again',
  VectorExpiredError: 'the image is no longer held by the widget; choose it again',
  InsecureContextError: 'the Obscura app must be served over HTTPS for the widget to run',
  UndeclaredScopeError: 'the collector has not declared a task for this scope',
  TaskMismatchError: "the release does not match the collector's declared task",
  InvalidTaskError: "the collector's declared tasks could not be read",
  UnknownLabelError: "the label is not one of the training task's labels",
  RoundNotOpenError: 'no training round is open now',
  ParticipationLimitError: 'this device has joined as many training rounds as it may',
};

const KNOWN = new Set<string>(ERROR_NAMES);
const ATTRIBUTES = new Set<string>(WIDGET_ATTRIBUTES);

/** The attribute a host set wrong, when the error names one (details.attribute): its name is the host's own word. */
function hostAttribute(err: unknown): WidgetAttribute | undefined {
  const attribute = (err as { details?: Record<string, unknown> } | null)?.details?.['attribute'];
  return typeof attribute === 'string' && ATTRIBUTES.has(attribute) ? (attribute as WidgetAttribute) : undefined;
}

/** The task scope a refusal names (details.scope), when it is one of this host's own. */
function hostTaskScope(err: unknown, name: ObscuraErrorName, hostOrigin: string | undefined): string | undefined {
  if (hostOrigin === undefined || (name !== 'UndeclaredScopeError' && name !== 'TaskMismatchError')) return undefined;
  const scope = (err as { details?: Record<string, unknown> } | null)?.details?.['scope'];
  return typeof scope === 'string' && isHostScope(hostOrigin, scope) ? scope : undefined;
}

/** What the host at `hostOrigin` may hear of `err`: its name, a fixed sentence and, for a task refusal, its scope. */
export function hostSafeError(err: unknown, hostOrigin?: string): { name: string; message: string; scope?: string } {
  const { name } = describeError(err);
  if (!KNOWN.has(name)) return { ...UNKNOWN_ERROR };
  const known = name as ObscuraErrorName;
  const scope = hostTaskScope(err, known, hostOrigin);
  if (scope !== undefined) return { name, message: HOST_MESSAGES[known], scope };
  if (known === 'BudgetExhaustedError') {
    const budget = (err as { details?: Record<string, unknown> } | null)?.details?.['budget'];
    return { name, message: budget === 'scope' ? SCOPE_BUDGET_REFUSAL : DEVICE_BUDGET_REFUSAL };
  }
  const attribute = known === 'InvalidParameterError' ? hostAttribute(err) : undefined;
  if (attribute) return { name, message: `the widget's ${attribute} attribute cannot be used here` };
  return { name, message: HOST_MESSAGES[known] };
}
