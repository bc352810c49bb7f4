// Apart from preprocess.ts, which needs tfjs: the decoder thread's bundle holds none.
import type { ModelConfig } from './model/model-config';

/** Size a decoder should downscale to before handing pixels over, keeping what `preprocessImage` needs. */
export function decodeTargetSize(
  config: ModelConfig,
  width: number,
  height: number,
): { width: number; height: number } {
  const [inH, inW] = config.inputSize;
  if (config.resize === 'squash') return { width: inW, height: inH };
  // center-crop: scale so the short side (relative to the input's aspect) matches, crop later.
  const s = Math.max(inW / width, inH / height);
  return { width: Math.max(inW, Math.round(width * s)), height: Math.max(inH, Math.round(height * s)) };
}
