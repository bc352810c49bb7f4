import { LitElement, html, css, type PropertyValues } from 'lit';

/**
 * A feature vector as a heat strip: one column per dimension, brightness by value
 * (scaled to the vector's largest magnitude; negative values in a second hue).
 * Drawn locally on a canvas: the vector never leaves the page for this.
 */
export class FeatureStrip extends LitElement {
  static override properties = { values: { attribute: false }, label: { type: String } };
  declare values: ArrayLike<number> | undefined;
  declare label: string;

  constructor() {
    super();
    this.label = 'feature vector';
  }

  static override styles = css`
    :host {
      display: block;
    }
    canvas {
      width: 100%;
      height: 28px;
      display: block;
      border-radius: 4px;
      border: 1px solid var(--line);
      image-rendering: pixelated;
    }
  `;

  protected override render() {
    const n = this.values?.length ?? 0;
    return html`<canvas
      role="img"
      aria-label="${this.label}: ${n} values"
      width="${Math.max(1, Math.min(n, 1280))}"
      height="1"
    ></canvas>`;
  }

  protected override updated(_: PropertyValues): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const values = this.values;
    if (!canvas || !values || values.length === 0) return;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const width = canvas.width;
    const image = ctx.createImageData(width, 1);
    let max = 1e-12;
    for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
    const per = values.length / width;
    for (let x = 0; x < width; x++) {
      let v = 0;
      const from = Math.floor(x * per);
      const to = Math.max(from + 1, Math.floor((x + 1) * per));
      for (let i = from; i < to; i++) v += values[i]!;
      v /= to - from;
      const t = Math.min(1, Math.abs(v) / max);
      const o = x * 4;
      // Warm for positive, cool for negative, dark for zero.
      image.data[o] = v >= 0 ? 40 + 215 * t : 30 + 40 * t;
      image.data[o + 1] = v >= 0 ? 30 + 170 * t * t : 60 + 120 * t;
      image.data[o + 2] = v >= 0 ? 50 : 90 + 165 * t;
      image.data[o + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }
}
customElements.define('feature-strip', FeatureStrip);
