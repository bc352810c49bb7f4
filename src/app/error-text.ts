import { DELTA_TARGET, EPSILON_MAX, EPSILON_MIN, MAX_TOTAL_EPSILON } from '../release/index';

/** Plain words for each error the person can meet, by error name. */
const TEXT: Record<string, string> = {
  UnsupportedInputError: 'This file is not an image Obscura can read. Try a JPEG, PNG, WebP, GIF, BMP or AVIF photo.',
  DecodeError: 'This image is damaged or incomplete, so it could not be read.',
  ImageTooLargeError: 'This image is too large to process safely on this device.',
  ImageTooSmallError: 'This image is too small to describe.',
  EmptyVideoError: 'This video has no frames that could be read.',
  CameraDeniedError: 'Camera access was denied. Allow the camera in your browser’s site settings, then try again.',
  NoCameraError: 'No camera is available.',
  ModelLoadError: 'The feature model could not be loaded.',
  BackendUnavailableError: 'None of the ways to run the model work in this browser.',
  BackendFailedError: 'The graphics processor failed; Obscura switched to another way of running the model.',
  AbortError: 'Cancelled.',
  BudgetExhaustedError: 'The privacy budget is spent, so nothing more can be released for now.',
  UnknownScopeError: 'That budget scope does not exist. Create it under “Create a scope” first, or choose another.',
  ScopeExistsError: 'A budget scope of that name already exists; choose it, or change its budget instead.',
  StorageUnavailableError:
    'This browser does not let Obscura keep its privacy ledger (storage is off or private mode), ' +
    'so nothing can be released.',
  StorageFullError: 'The browser’s storage is full, so the privacy ledger cannot record a release.',
  OutboxFullError: 'Too many reports are waiting to be sent; new releases wait until they are delivered.',
  InvalidParameterError: 'A privacy setting is out of range.',
  UndeclaredScopeError:
    'The collector does not take reports for this scope (or has not been reached yet to say that it does); ' +
    'nothing was charged.',
  TaskMismatchError: 'The collector takes other settings for this scope; nothing was charged. Choose what it declares.',
  InvalidTaskError: 'The collector’s list of the releases it takes could not be read.',
  UnknownLabelError: 'That label is not one of the training task’s labels; the example was not kept.',
  CodebookMismatchError: 'This image’s features come from another model than the one the codebook reads.',
  RoundNotOpenError: 'No training round is open now; nothing was charged or sent. Try again when one opens.',
  ParticipationLimitError:
    'This device has joined as many rounds of this training as it may; nothing was charged or sent.',
};

/** The privacy limits' own words: which setting is out of range, by the parameter an InvalidParameterError names. */
const PARAMETER_TEXT: Record<string, string> = {
  epsilon: `ε must be between ${EPSILON_MIN} and ${EPSILON_MAX} for one release.`,
  delta: `δ may not exceed the device-wide target of ${DELTA_TARGET}.`,
  totalEpsilon: `A budget total must be between 0 and ${MAX_TOTAL_EPSILON}.`,
  'window.ms': 'A rolling budget window must be at least one day.',
  'scope name': 'A scope name is 1 to 128 letters, digits or . _ : -.',
};

/** A sentence for the person, with the technical detail after it. */
export function explainError(err: unknown): string {
  const name = (err as { name?: string })?.name ?? 'Error';
  const message = (err as { message?: string })?.message ?? String(err);
  const parameter = (err as { details?: { parameter?: unknown } })?.details?.parameter;
  const plain = (name === 'InvalidParameterError' && PARAMETER_TEXT[String(parameter)]) || TEXT[name];
  return plain ? `${plain} (${message})` : `Something went wrong: ${message}`;
}
