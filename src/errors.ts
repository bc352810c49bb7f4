/**
 * The one table of error names. Errors cross the worker boundary (comlink keeps
 * only name, message and stack) and the CLI prints them as JSON, so callers
 * branch on `err.name`, never on `instanceof`.
 */
export const ERROR_NAMES = [
  // input
  'UnsupportedInputError',
  'DecodeError',
  'ImageTooLargeError',
  'ImageTooSmallError',
  'EmptyVideoError',
  'CameraDeniedError',
  'NoCameraError',
  // engine
  'ModelLoadError',
  'UnknownModelError',
  'UnknownLayerError',
  'BackendUnavailableError',
  'BackendFailedError',
  'AbortError',
  // privacy
  'InvalidParameterError',
  'InvalidVectorError',
  'InvalidReportError',
  // codebooks
  'InvalidCodebookError',
  'CodebookMismatchError',
  'CodebookLoadError',
  // release path
  'BudgetExhaustedError',
  'UnknownScopeError',
  'ScopeExistsError',
  'StorageUnavailableError',
  'StorageFullError',
  'OutboxFullError',
  'UnknownContentError',
  'VectorExpiredError',
  // deployment
  'InsecureContextError',
  // declared tasks
  'UndeclaredScopeError',
  'TaskMismatchError',
  'InvalidTaskError',
  // federated training
  'UnknownLabelError',
  'RoundNotOpenError',
  'ParticipationLimitError',
] as const;

export type ObscuraErrorName = (typeof ERROR_NAMES)[number];

/** An error whose `name` is one of {@link ERROR_NAMES}; `details` is plain data that survives structured cloning. */
export class ObscuraError extends Error {
  override readonly name: ObscuraErrorName;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(name: ObscuraErrorName, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = name;
    this.details = details;
  }
}

/** True when `err` is (or was, before crossing a thread) an Obscura error of that name. */
export function isErrorNamed(err: unknown, name: ObscuraErrorName): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/** `{name, message}` of anything thrown, for JSON output and postMessage. */
export function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  if (typeof err === 'object' && err !== null && 'name' in err && 'message' in err) {
    return { name: String((err as { name: unknown }).name), message: String((err as { message: unknown }).message) };
  }
  return { name: 'Error', message: String(err) };
}
