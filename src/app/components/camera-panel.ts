import { LitElement, html, css } from 'lit';
import { listCameras, openCamera, snapshot, stopStream } from '../../client/index';
import { sharedStyles } from './shared-styles';

/** Live camera preview with a device picker; emits `snapshot` (ImageBitmap) and `camera-error`. */
export class CameraPanel extends LitElement {
  static override properties = { devices: { state: true }, deviceId: { state: true }, live: { state: true } };
  declare devices: MediaDeviceInfo[];
  declare deviceId: string;
  declare live: boolean;
  private stream: MediaStream | undefined;

  constructor() {
    super();
    this.deviceId = '';
    this.live = false;
    this.devices = [];
  }

  static override styles = [
    sharedStyles,
    css`
      video {
        width: 100%;
        max-height: 50vh;
        background: #000;
        border-radius: 8px;
      }
    `,
  ];

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    await this.start();
  }

  override disconnectedCallback(): void {
    this.stop();
    super.disconnectedCallback();
  }

  private async start(deviceId?: string): Promise<void> {
    this.stop();
    try {
      this.stream = await openCamera(deviceId);
      this.devices = await listCameras();
      this.deviceId = this.stream.getVideoTracks()[0]?.getSettings().deviceId ?? '';
      await this.updateComplete;
      const video = this.renderRoot.querySelector('video')!;
      video.srcObject = this.stream;
      await video.play();
      this.live = true;
    } catch (err) {
      this.dispatchEvent(new CustomEvent('camera-error', { detail: err, bubbles: true, composed: true }));
    }
  }

  private stop(): void {
    if (this.stream) stopStream(this.stream);
    this.stream = undefined;
    this.live = false;
  }

  private async take(): Promise<void> {
    try {
      const frame = await snapshot(this.renderRoot.querySelector('video')!);
      this.dispatchEvent(new CustomEvent('snapshot', { detail: frame, bubbles: true, composed: true }));
    } catch (err) {
      this.dispatchEvent(new CustomEvent('camera-error', { detail: err, bubbles: true, composed: true }));
    }
  }

  protected override render() {
    return html`<section class="card" aria-labelledby="camera-title">
      <h2 id="camera-title">Camera</h2>
      <video muted playsinline aria-label="live camera preview"></video>
      <div class="row">
        <label for="camera-select">Camera</label>
        <select id="camera-select" @change=${(e: Event) => this.start((e.target as HTMLSelectElement).value)}>
          ${this.devices.map(
            (d, i) =>
              html`<option value=${d.deviceId} ?selected=${d.deviceId === this.deviceId}>
                ${d.label || `camera ${i + 1}`}
              </option>`,
          )}
        </select>
        <button class="primary" ?disabled=${!this.live} @click=${() => this.take()}>Take a snapshot</button>
        <button @click=${() => this.dispatchEvent(new CustomEvent('close-camera', { bubbles: true, composed: true }))}>
          Close camera
        </button>
      </div>
    </section>`;
  }
}
customElements.define('camera-panel', CameraPanel);
