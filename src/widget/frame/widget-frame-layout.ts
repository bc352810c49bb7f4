import { html, nothing } from 'lit';
import { releasesLeft } from '../../app/components/budget-words';
import type { PrivacySettings } from '../../app/components/privacy-controls';
import type { WidgetFrame } from './widget-frame';
import { accessNoteView, consentView, localGuaranteeView, releaseRowView, type Picked } from './widget-frame-views';
import { grant, onImages, onReleaseClick } from './widget-release-flow';
import { onTrainConfirm, onTrainLabel } from './widget-train-flow';
import { suggestionNoticeView, trainRowView } from './widget-train-views';

/** The ε of one release: the host may lower the person's setting, never raise it. */
function frameEpsilon(frame: WidgetFrame): number {
  return Math.min(frame.config.epsilon ?? frame.settings.mechanism.epsilon, frame.settings.mechanism.epsilon);
}

function consent(frame: WidgetFrame) {
  return consentView({
    host: frame.hostOrigin,
    access: frame.access,
    armed: frame.armed,
    epsilon: frameEpsilon(frame),
    onAllow: () => void grant(frame),
  });
}

/** The host is not allowed yet, or the frame still needs the person's click to reach the store. */
function asksConsent(frame: WidgetFrame): boolean {
  return frame.granted === false || frame.access.kind === 'needs-click' || frame.access.kind === 'window-open';
}

function releaseRow(frame: WidgetFrame, item: Picked, epsilon: number) {
  const short = frame.budget !== undefined && frame.budget.remaining + 1e-12 < epsilon;
  const row = releaseRowView(item, epsilon, frame.armed, short, () => void onReleaseClick(frame, item));
  if (!item.train) return row;
  const train = trainRowView(
    item.name,
    item.train,
    frame.armed,
    (label) => onTrainLabel(frame, item, label),
    () => void onTrainConfirm(frame, item),
  );
  return html`${row}${train}`;
}

/** The whole frame: who embeds it, its guarantee, consent, the picked photos and what the site received. */
export function widgetFrameLayout(frame: WidgetFrame) {
  const epsilon = frameEpsilon(frame);
  const b = frame.budget;
  const granted = frame.granted === true;
  return html`
    <div class="row muted">Embedded by <span class="host">${frame.hostOrigin}</span></div>
    <div class="row muted" data-testid="epsilon">
      Each release uses part of this site's privacy budget: ε ${epsilon}
    </div>
    ${granted && frame.quote ? localGuaranteeView(frame.quote) : nothing}
    ${frame.errors.map((e) => html`<p class="error" role="alert">${e}</p>`)} ${suggestionNoticeView(frame.trainTask)}
    <section class="actions">
      ${accessNoteView(frame.access, frame.budget)} ${asksConsent(frame) ? consent(frame) : nothing}
      ${
        granted
          ? html`<div class="row" data-testid="remaining">
                This site's privacy budget: ε ${b ? b.remaining.toFixed(2) : '…'} left for this site (of
                ${b ? b.total : '…'})${b ? `, ${releasesLeft(b.remaining, epsilon)}` : ''}
              </div>
              <capture-panel
                ?busy=${frame.busy}
                @images=${(e: CustomEvent<File[]>) => void onImages(frame, e.detail)}
              ></capture-panel>
              ${frame.picked.map((item) => releaseRow(frame, item, epsilon))}`
          : nothing
      }
      ${frame.notice ? html`<p class="error" data-testid="release-refused" role="status">${frame.notice}</p>` : nothing}
    </section>
    ${
      granted
        ? html`<details>
            <summary>Your settings and what this site received</summary>
            <privacy-controls
              .settings=${frame.settings}
              @settings=${(e: CustomEvent<PrivacySettings>) => frame.onSettings(e.detail)}
            ></privacy-controls>
            <ledger-view .entries=${frame.entries}></ledger-view>
          </details>`
        : nothing
    }
  `;
}
