import { LitElement, html, css, nothing } from 'lit';
import {
  DELTA_TARGET,
  EPSILON_MAX,
  EPSILON_MIN,
  expectedCosine,
  type Task,
  type VectorMechanismParams,
} from '../../release/index';
import { sharedStyles } from './shared-styles';
import { afterPaint } from '../after-paint';
import { calibrateOffThread } from '../first-similarity';

/** A category release: the codebook at `codebook` labels the image on the device; k-RR or OUE randomizes it. */
export interface CategoryChoice {
  readonly name: 'krr' | 'oue';
  /** The codebook's URL (relative to the page). */
  readonly codebook: string;
}

export interface PrivacySettings {
  /** The vector mechanism; its ε is also the category release's ε. */
  readonly mechanism: VectorMechanismParams;
  /** Set when a category is released instead of the vector. */
  readonly category?: CategoryChoice;
  /** Public projection dimension, or undefined for none. */
  readonly dims: number | undefined;
  readonly autoRelease: boolean;
}

/** δ a Gaussian release may state: never above the device-wide target the budget is accounted at. */
export const DELTA_CHOICES: readonly number[] = [1e-6, 1e-7, 1e-8, 1e-9].filter((d) => d <= DELTA_TARGET);

/** ε within the per-release limits [EPSILON_MIN, EPSILON_MAX]; `fallback` for a value that is not a number. */
export function clampEpsilon(value: number, fallback: number): number {
  if (!Number.isFinite(value)) return fallback;
  return Math.min(EPSILON_MAX, Math.max(EPSILON_MIN, value));
}

export const DEFAULT_SETTINGS: PrivacySettings = {
  mechanism: { name: 'privunit', epsilon: 2 },
  dims: undefined,
  autoRelease: false,
};

/** Mechanism, ε (and δ), projection, with the expected similarity shown before anything is released. */
export class PrivacyControls extends LitElement {
  static override properties = {
    settings: { attribute: false },
    featureDims: { type: Number },
    codebook: { type: String },
    codebookLabels: { type: Number },
    task: { attribute: false },
    mechanisms: { attribute: false },
    firstSimilarity: { state: true },
  };
  declare settings: PrivacySettings;
  declare featureDims: number;
  /** A codebook's URL: when set, a category (k-RR / OUE over it) can be chosen beside the vector mechanisms. */
  declare codebook: string | undefined;
  /** Its number of labels, for the utility preview (the demo codebook has 10). */
  declare codebookLabels: number;
  /**
   * The collector's task for the active scope: only its mechanism and its ε values are offered,
   * its δ and projection are fixed. Undefined: no collector declares anything, every value in range is offered.
   */
  declare task: Task | undefined;
  /** The mechanisms some declared task takes (choosing one moves to its scope); undefined: all. */
  declare mechanisms: readonly string[] | undefined;
  /**
   * The expected similarity of the settings the page started with, calibrated in a worker after the first
   * paint (a calibration is milliseconds of numerical optimisation), keyed by those settings. Settings the
   * person chooses later are calibrated here, at once.
   */
  declare firstSimilarity: { readonly key: string; readonly text: string } | undefined;
  /** The starting settings' key while the worker calibrates them. */
  private calibrating: string | undefined;

  constructor() {
    super();
    this.settings = DEFAULT_SETTINGS;
    this.featureDims = 96;
    this.codebook = undefined;
    this.codebookLabels = 10;
    this.firstSimilarity = undefined;
  }

  /** Before the first render: the starting settings go to the worker, and the render shows that they wait. */
  protected override willUpdate(): void {
    if (this.hasUpdated) return;
    const { mechanism } = this.settings;
    const dims = this.settings.dims ?? this.featureDims;
    const key = similarityKey(mechanism, dims);
    this.calibrating = key;
    void afterPaint()
      .then(() => calibrateOffThread(mechanism, dims))
      .then(
        (cosine) => cosine.toFixed(3),
        () => undefined,
      )
      .then((text) => {
        this.calibrating = undefined;
        // Without a worker the render calibrates them itself.
        if (text === undefined) this.requestUpdate();
        else this.firstSimilarity = { key, text };
      });
  }

  static override styles = [
    sharedStyles,
    css`
      fieldset {
        border: 0;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 0.5rem;
      }
      label {
        display: grid;
        gap: 0.2rem;
        min-width: 0;
      }
      /* A select is as wide as its longest option unless told otherwise; phones are 360 px wide. */
      select {
        max-width: 100%;
      }
      /* ε is a number field until the collector's task makes it a list: both the same height, so nothing moves. */
      label > select,
      label > input[type='number'] {
        height: 2.5rem;
      }
      output {
        font-weight: 600;
      }
      /* As wide before its value (calibrated in a worker after the first paint) as with it: the text after it stays. */
      #expected-similarity {
        display: inline-block;
        min-width: 5ch;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  private change(
    patch: Partial<{ name: string; epsilon: number; delta: number; dims: number | undefined; autoRelease: boolean }>,
  ): void {
    const m = this.settings.mechanism;
    const chosen = patch.name ?? this.settings.category?.name ?? m.name;
    const category: CategoryChoice | undefined =
      (chosen === 'krr' || chosen === 'oue') && this.codebook ? { name: chosen, codebook: this.codebook } : undefined;
    // Choosing a category keeps the vector mechanism as it was, for when the person switches back.
    const name = (category ? m.name : chosen) as VectorMechanismParams['name'];
    const epsilon = patch.epsilon ?? m.epsilon;
    const delta = patch.delta ?? ('delta' in m ? m.delta : DELTA_TARGET);
    const mechanism: VectorMechanismParams = name === 'gaussian' ? { name, epsilon, delta } : { name, epsilon };
    const dims = 'dims' in patch ? patch.dims : this.settings.dims;
    this.settings = {
      mechanism,
      dims,
      autoRelease: patch.autoRelease ?? this.settings.autoRelease,
      ...(category ? { category } : {}),
    };
    this.dispatchEvent(new CustomEvent('settings', { detail: this.settings, bubbles: true, composed: true }));
  }

  /** k-RR: the chance that the label sent is the one the codebook assigned, e^ε / (e^ε + k − 1). */
  private truthfulness(): string {
    const e = Math.exp(this.settings.mechanism.epsilon);
    return (e / (e + this.codebookLabels - 1)).toFixed(3);
  }

  private similarity(): string {
    const d = this.settings.dims ?? this.featureDims;
    const key = similarityKey(this.settings.mechanism, d);
    if (this.firstSimilarity?.key === key) return this.firstSimilarity.text;
    if (this.calibrating === key) return '…';
    try {
      return expectedCosine(this.settings.mechanism, d).toFixed(3);
    } catch {
      return '—';
    }
  }

  /** ε: the task's allowed values to choose from, or any value within the limits. */
  private epsilonField() {
    const m = this.settings.mechanism;
    if (this.task)
      return html`<select
        id="epsilon"
        @change=${(e: Event) => this.change({ epsilon: Number((e.target as HTMLSelectElement).value) })}
      >
        ${this.task.epsilon.map((v) => html`<option value=${v} ?selected=${m.epsilon === v}>${v}</option>`)}
      </select>`;
    return html`<input
      id="epsilon"
      type="number"
      min=${EPSILON_MIN}
      max=${EPSILON_MAX}
      step="0.01"
      .value=${String(m.epsilon)}
      @change=${(e: Event) => {
        const input = e.target as HTMLInputElement;
        const v = clampEpsilon(Number(input.value), m.epsilon);
        // The field shows what will be used: a value outside the limits snaps to the nearest one.
        input.value = String(v);
        this.change({ epsilon: v });
      }}
    />`;
  }

  /** Whether a task the collector declares (if it declares any) takes this mechanism. */
  private offered(name: string): boolean {
    return this.mechanisms === undefined || this.mechanisms.includes(name);
  }

  protected override render() {
    const m = this.settings.mechanism;
    const category = this.settings.category;
    const fixed = this.task !== undefined;
    return html`<section class="card" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy</h2>
      <fieldset>
        <label
          >Mechanism
          <select id="mechanism" @change=${(e: Event) => this.change({ name: (e.target as HTMLSelectElement).value })}>
            <option
              value="privunit"
              ?disabled=${!this.offered('privunit')}
              ?selected=${!category && m.name === 'privunit'}
            >
              PrivUnit (ε-LDP, best for averages)
            </option>
            <option
              value="gaussian"
              ?disabled=${!this.offered('gaussian')}
              ?selected=${!category && m.name === 'gaussian'}
            >
              Gaussian ((ε, δ)-LDP)
            </option>
            <option
              value="laplace"
              ?disabled=${!this.offered('laplace')}
              ?selected=${!category && m.name === 'laplace'}
            >
              Laplace (ε-LDP)
            </option>
            ${
              this.codebook
                ? html`<option value="krr" ?disabled=${!this.offered('krr')} ?selected=${category?.name === 'krr'}>
                      Category, k-RR (ε-LDP label)
                    </option>
                    <option value="oue" ?disabled=${!this.offered('oue')} ?selected=${category?.name === 'oue'}>
                      Category, OUE (ε-LDP label)
                    </option>`
                : nothing
            }
          </select>
        </label>
        <label
          >How much one release may reveal about the image (ε; smaller reveals less, and leaves more budget)
          ${this.epsilonField()}
        </label>
        ${
          !category && m.name === 'gaussian'
            ? html`<label
                >Chance that the guarantee fails outright (δ; keep it tiny)
                <select
                  id="delta"
                  ?disabled=${fixed}
                  @change=${(e: Event) => this.change({ delta: Number((e.target as HTMLSelectElement).value) })}
                >
                  ${(fixed ? [m.delta] : DELTA_CHOICES).map(
                    (d) => html`<option value=${d} ?selected=${m.delta === d}>${d}</option>`,
                  )}
                </select></label
              >`
            : nothing
        }
        ${
          category
            ? html`<p>
                Only a label leaves: the codebook (<a href=${category.codebook}>${category.codebook}</a>) picks it on
                this device, then ${category.name === 'krr' ? 'k-RR' : 'OUE'} randomizes it.
                ${
                  category.name === 'krr'
                    ? html`Chance the label sent is the one assigned:
                        <output id="expected-truth" aria-live="polite">${this.truthfulness()}</output>`
                    : nothing
                }
              </p>`
            : html` <label
                  >Projection
                  <select
                    id="projection"
                    ?disabled=${fixed}
                    @change=${(e: Event) => {
                      const v = (e.target as HTMLSelectElement).value;
                      this.change({ dims: v === 'none' ? undefined : Number(v) });
                    }}
                  >
                    <option
                      value="none"
                      ?hidden=${fixed && this.settings.dims !== undefined}
                      ?selected=${this.settings.dims === undefined}
                    >
                      none (${this.featureDims} dimensions)
                    </option>
                    ${(fixed ? (this.settings.dims ? [this.settings.dims] : []) : [8, 16, 32])
                      .filter((k) => k < this.featureDims)
                      .map(
                        (k) =>
                          html`<option value=${k} ?selected=${this.settings.dims === k}>
                            ${k} dimensions (public projection)
                          </option>`,
                      )}
                  </select>
                </label>
                <p>
                  Expected similarity to the true features:
                  <output id="expected-similarity" aria-live="polite">${this.similarity()}</output>
                  <span class="muted">(cosine; 1 is identical)</span>
                </p>`
        }
        <label class="row"
          ><input
            id="auto-release"
            type="checkbox"
            .checked=${this.settings.autoRelease}
            @change=${(e: Event) => this.change({ autoRelease: (e.target as HTMLInputElement).checked })}
          />
          Release automatically after each extraction</label
        >
        ${
          // Last in the card: the collector's tasks arrive after the first paint, and a note that
          // appears here moves nothing above it.
          this.task
            ? html`<p class="muted" data-testid="declared-task">
                The collector declares scope “${this.task.scope}” for ${this.task.mechanism} at ε
                ${this.task.epsilon.join(' or ')}: only that is offered.
              </p>`
            : nothing
        }
      </fieldset>
    </section>`;
  }
}
customElements.define('privacy-controls', PrivacyControls);

function similarityKey(mechanism: VectorMechanismParams, dims: number): string {
  return JSON.stringify([mechanism, dims]);
}
