import { ObscuraError } from '../errors';

/** Video input devices; labels are empty until the person has granted camera access once. */
export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
}

/** Opens a camera, mapping the browser's DOMExceptions to typed errors the UI can explain. */
export async function openCamera(deviceId?: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new ObscuraError(
      'NoCameraError',
      'this browser gives no camera access here (it needs a secure context: https or localhost)',
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: deviceId ? { deviceId: { exact: deviceId } } : { width: { ideal: 1280 } },
      audio: false,
    });
  } catch (err) {
    const name = (err as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new ObscuraError(
        'CameraDeniedError',
        "camera access was denied; allow it in the browser's site settings to take a snapshot",
      );
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
      throw new ObscuraError(
        'NoCameraError',
        deviceId ? `the chosen camera (${deviceId}) is not connected` : 'no camera was found',
      );
    }
    if (name === 'NotReadableError' || name === 'AbortError') {
      throw new ObscuraError('NoCameraError', 'the camera is in use by another program or could not be started');
    }
    throw new ObscuraError('NoCameraError', `the camera could not be opened: ${(err as Error).message}`);
  }
}

/** One frame of a playing camera stream, as a bitmap ready to transfer to the worker. */
export async function snapshot(video: HTMLVideoElement): Promise<ImageBitmap> {
  if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
    await new Promise<void>((resolve, reject) => {
      video.addEventListener('loadeddata', () => resolve(), { once: true });
      video.addEventListener('error', () => reject(new ObscuraError('NoCameraError', 'the camera stream stopped')), {
        once: true,
      });
    });
  }
  if (video.videoWidth === 0) throw new ObscuraError('NoCameraError', 'the camera gives no picture');
  return createImageBitmap(video);
}

export function stopStream(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
