import { html, nothing } from 'lit';
import { grantSite, isHostGrant, type BudgetChange } from '../../release/index';
import { describeWindow } from './budget-window';
import { localTimeText } from '../time-text';

/** Every budget change (a grant, a new window, a scope created), which the ledger keeps beside the releases. */
export function budgetChangeRows(changes: readonly BudgetChange[]) {
  if (changes.length === 0) return nothing;
  return html`<h3>Budget changes</h3>
    <div class="scroll" tabindex="0" role="region" aria-label="budget changes">
      <table>
        <thead>
          <tr>
            <th scope="col">time</th>
            <th scope="col">budget</th>
            <th scope="col">total ε</th>
            <th scope="col">window</th>
          </tr>
        </thead>
        <tbody>
          ${changes.map(
            (c) =>
              html`<tr data-testid="budget-change-row">
                <td>${localTimeText(c.time)}</td>
                <td>${budgetLabel(c.target)}</td>
                <td>${c.totalEpsilon}</td>
                <td>${describeWindow(c.window)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

/** Whose budget a change set: the device's, a widget host's grant (by its site) or a scope. */
function budgetLabel(target: string): string {
  if (target === '@device') return 'device-wide';
  return isHostGrant(target) ? `grant of ${grantSite(target)}` : `scope “${target}”`;
}
