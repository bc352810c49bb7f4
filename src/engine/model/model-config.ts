/** How a registered model is fetched, fed and cut to give a feature vector. */
export interface ModelConfig {
  /** Registry key; travels in every report as `model.id`. */
  readonly id: string;
  /** model.json location: absolute URL, or a path relative to the app's model root. */
  readonly url: string;
  readonly format: 'layers' | 'graph';
  /** Height and width the network expects (channels are always RGB). */
  readonly inputSize: readonly [number, number];
  /** Pixel values in 0..255 are mapped to `value * scale + offset`. */
  readonly normalization: { readonly scale: number; readonly offset: number };
  /**
   * `squash` stretches the whole image to the input size; `center-crop` keeps the aspect ratio
   * and crops the long side.
   */
  readonly resize: 'squash' | 'center-crop';
  /** Layer (layers model) or node (graph model) whose globally average-pooled output is the feature vector. */
  readonly defaultLayer: string;
  /**
   * Layers known to give useful features, for pickers and evaluation; any layer of the model
   * may still be asked for.
   */
  readonly candidateLayers?: readonly string[];
  /** Where the weights came from and under which licence, shown to the person. */
  readonly source?: string;
  /**
   * Lighter copies of the model that end at one layer and hold only the weights that
   * layer needs (written by scripts/convert-model.mjs). A request for that layer loads
   * the cut; any other layer loads the full model at `url`.
   */
  readonly cuts?: readonly ModelCut[];
  /** The weight files of the model at `url`, relative to it, when known in advance (see ModelCut.weights). */
  readonly weights?: readonly string[];
}

/** A copy of a layers model cut at `layer`: its output is that layer, its weights only those below it. */
export interface ModelCut {
  readonly layer: string;
  /** model.json of the cut: absolute URL, or a path relative to the app's model root. */
  readonly url: string;
  /**
   * The cut's weight files, relative to its model.json, as its weights manifest lists them: known here,
   * they are fetched alongside model.json instead of one round trip after it.
   */
  readonly weights?: readonly string[];
}

export type { ModelRef } from '../../model-ref';
