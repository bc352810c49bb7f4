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
  StorageUnavailableError:
    'This browser does not let Obscura keep its privacy ledger (storage is off or private mode), so nothing can be released.',
  StorageFullError: 'The browser’s storage is full, so the privacy ledger cannot record a release.',
  OutboxFullError: 'Too many reports are waiting to be sent; new releases wait until they are delivered.',
  InvalidParameterError: 'A privacy setting is out of range.',
};

/** A sentence for the person, with the technical detail after it. */
export function explainError(err: unknown): string {
  const name = (err as { name?: string })?.name ?? 'Error';
  const message = (err as { message?: string })?.message ?? String(err);
  const plain = TEXT[name];
  return plain ? `${plain} (${message})` : `Something went wrong: ${message}`;
}
