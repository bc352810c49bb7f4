/**
 * The widget frame's training parts that only draw: the label picker under a picked image, and the
 * note that the host's suggestion was ignored. Keeping an example changes the button's words only,
 * never the frame's height: the host sees the frame's size (it sizes the iframe), and must not learn
 * from it whether the person kept an example.
 */
import { html, nothing } from 'lit';
import type { TrainChoice, WidgetTrainTask } from './widget-train';

export function trainRowView(
  name: string,
  choice: TrainChoice,
  armed: boolean,
  onLabel: (label: string) => void,
  onConfirm: () => void,
) {
  const kept = choice.kept !== undefined && choice.kept === choice.label;
  const words = choice.storing ? 'Keeping…' : kept ? `Kept as ${choice.kept}` : 'Keep for training';
  return html`<div class="row train" data-testid="train-choice" data-task=${choice.ref.task}>
    <label class="muted">
      Label for training task <code>${choice.ref.task}</code>${
        choice.suggested === undefined
          ? nothing
          : html` <span data-testid="train-suggested">(this site suggests ${choice.suggested})</span>`
      }
      <select
        data-testid="train-label"
        aria-label=${`Training label of ${name}`}
        @change=${(e: Event) => onLabel((e.target as HTMLSelectElement).value)}
      >
        <option value="" ?selected=${choice.label === ''}>choose a label</option>
        ${choice.labels.map((l) => html`<option value=${l} ?selected=${choice.label === l}>${l}</option>`)}
      </select>
    </label>
    <button
      data-testid="train-confirm"
      data-armed=${String(armed)}
      ?disabled=${choice.label === '' || kept || choice.storing === true}
      @click=${onConfirm}
    >
      ${words}
    </button>
    ${choice.error ? html`<span class="error" role="alert">${choice.error}</span>` : nothing}
  </div>`;
}

/** Shown from the moment the task is read, before any image is picked: the host knows its own suggestion. */
export function suggestionNoticeView(task: WidgetTrainTask | undefined) {
  if (task?.refused === undefined) return nothing;
  return html`<p class="muted" data-testid="suggestion-refused" role="status">
    This site suggested the label “${task.refused}”, which is not one of training task
    <code>${task.ref.task}</code>’s labels (${task.labels.join(', ')}): it was ignored, and nothing is kept unless you
    choose a label and confirm it.
  </p>`;
}
