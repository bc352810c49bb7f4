import { ObscuraError } from '../errors';

export interface VideoFrameOptions {
  /** How many frames to sample, evenly spaced over the video (default 8). */
  count?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Samples `count` frames evenly over a video file by seeking a detached <video>
 * element. The file never leaves the page: it is played from a blob: URL.
 */
export async function sampleVideoFrames(file: Blob, options: VideoFrameOptions = {}): Promise<ImageBitmap[]> {
  const count = options.count ?? 8;
  if (!Number.isInteger(count) || count < 1 || count > 256)
    throw new ObscuraError('InvalidParameterError', `frame count must be 1..256, got ${count}`);
  if (file.size === 0) throw new ObscuraError('EmptyVideoError', 'the video file is empty (0 bytes)');
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.src = url;
  const frames: ImageBitmap[] = [];
  try {
    await once(video, 'loadedmetadata', 'the file is not a video this browser can play');
    const duration = video.duration;
    if (!(duration > 0) || video.videoWidth === 0) throw new ObscuraError('EmptyVideoError', 'the video has no frames');
    for (let i = 0; i < count; i++) {
      if (options.signal?.aborted) throw new ObscuraError('AbortError', 'frame sampling was cancelled');
      // Frame centres of `count` equal slices, so a short video still gives distinct frames.
      video.currentTime = Math.min(duration, ((i + 0.5) / count) * duration);
      await once(video, 'seeked', 'the video could not be read at that point');
      await frameDecoded(video);
      frames.push(await createImageBitmap(video));
      options.onProgress?.(i + 1, count);
    }
    return frames;
  } catch (err) {
    for (const f of frames) f.close();
    throw err;
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}

/** The longest wait for a sought frame's pixels after `seeked`. */
const FRAME_WAIT_MS = 10_000;

/**
 * Waits until the element holds the sought frame's pixels: `seeked` may come while the frame is
 * still being decoded (readyState HAVE_METADATA), and a bitmap of it then fails. The element says
 * `canplay` once it has the frame and what follows it.
 */
async function frameDecoded(video: HTMLVideoElement): Promise<void> {
  if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ObscuraError('DecodeError', `the video gave no frame at ${video.currentTime} s`)),
      FRAME_WAIT_MS,
    );
  });
  try {
    await Promise.race([once(video, 'canplay', 'the video could not be decoded at that point'), late]);
  } finally {
    clearTimeout(timer);
  }
}

function once(video: HTMLVideoElement, event: string, failure: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onOk = () => {
      video.removeEventListener('error', onError);
      resolve();
    };
    const onError = () => {
      video.removeEventListener(event, onOk);
      reject(
        new ObscuraError(
          event === 'loadedmetadata' ? 'EmptyVideoError' : 'DecodeError',
          `${failure} (${video.error?.message || `media error ${video.error?.code ?? ''}`})`,
        ),
      );
    };
    video.addEventListener(event, onOk, { once: true });
    video.addEventListener('error', onError, { once: true });
  });
}
