import { LitElement, html, css } from 'lit';
import { sharedStyles } from './shared-styles';

/** Emits `images` (File[]) from the file picker, drag and drop, and paste, and `video` (File) from the video picker. */
export class CapturePanel extends LitElement {
  static override properties = { dragging: { state: true }, busy: { type: Boolean } };
  declare dragging: boolean;
  declare busy: boolean;

  constructor() {
    super();
    this.dragging = false;
    this.busy = false;
  }

  static override styles = [
    sharedStyles,
    css`
      .drop {
        border: 2px dashed var(--line);
        border-radius: 10px;
        padding: 1rem;
        text-align: center;
      }
      .drop.over {
        border-color: var(--accent);
        background: color-mix(in srgb, var(--accent) 8%, transparent);
      }
      /* The file inputs stay in the tab order; their labels are what is seen, and show the focus. */
      .picker {
        position: relative;
        display: inline-flex;
      }
      input[type='file'] {
        position: absolute;
        inset: 0;
        opacity: 0;
        width: 100%;
        height: 100%;
        cursor: pointer;
      }
      .picker:has(input:focus-visible) label {
        outline: 3px solid var(--focus);
        outline-offset: 2px;
      }
      .row {
        justify-content: center;
      }
    `,
  ];

  private readonly onPaste = (e: ClipboardEvent) => {
    const files = Array.from(e.clipboardData?.files ?? []).filter((f) => f.type.startsWith('image/'));
    if (files.length > 0) {
      e.preventDefault();
      this.emit('images', files);
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('paste', this.onPaste);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('paste', this.onPaste);
    super.disconnectedCallback();
  }

  private emit(type: 'images' | 'video', detail: File[] | File): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private picked(e: Event, type: 'images' | 'video'): void {
    const input = e.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = '';
    if (files.length === 0) return;
    if (type === 'video') this.emit('video', files[0]!);
    else this.emit('images', files);
  }

  private dropped(e: DragEvent): void {
    e.preventDefault();
    this.dragging = false;
    const files = Array.from(e.dataTransfer?.files ?? []);
    const video = files.find((f) => f.type.startsWith('video/'));
    if (video) this.emit('video', video);
    const images = files.filter((f) => !f.type.startsWith('video/'));
    if (images.length > 0) this.emit('images', images);
  }

  protected override render() {
    return html`<section class="card" aria-labelledby="capture-title">
      <h2 id="capture-title">Bring an image</h2>
      <div
        class="drop ${this.dragging ? 'over' : ''}"
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = true;
        }}
        @dragleave=${() => (this.dragging = false)}
        @drop=${(e: DragEvent) => this.dropped(e)}
      >
        <div class="row">
          <span class="picker">
            <label class="button" for="pick-images">Choose images…</label>
            <input
              id="pick-images"
              type="file"
              accept="image/*"
              multiple
              ?disabled=${this.busy}
              @change=${(e: Event) => this.picked(e, 'images')}
            />
          </span>
          <span class="picker">
            <label class="button" for="pick-video">Choose a video…</label>
            <input
              id="pick-video"
              type="file"
              accept="video/*"
              ?disabled=${this.busy}
              @change=${(e: Event) => this.picked(e, 'video')}
            />
          </span>
          <button @click=${() => this.dispatchEvent(new CustomEvent('open-camera', { bubbles: true, composed: true }))}>
            Use the camera
          </button>
        </div>
        <p class="muted">…or drop files here, or paste an image. Images stay on this device.</p>
      </div>
    </section>`;
  }
}
customElements.define('capture-panel', CapturePanel);
