/**
 * What the frame reads of its host's grant and tells the host: the grant's budget and ledger rows (never
 * another host's), refreshed on each ledger change, and the host's attributes checked against the tasks
 * its collector declares.
 */
import { isErrorNamed } from '../../errors';
import type { BudgetStatus, LedgerDelta } from '../../release/index';
import type { WidgetFrame } from './widget-frame';
import { refreshQuote } from './widget-release-flow';
import { widgetTaskError } from './widget-task';

/**
 * With an endpoint, the attributes are checked against the task its collector declares for the
 * scope: a mismatch shows in the frame (and goes to the host) before anything is picked.
 */
export async function checkTask(frame: WidgetFrame): Promise<void> {
  const releases = frame.releases;
  const endpoint = frame.config.endpoint;
  if (!releases || endpoint === undefined) return;
  const key = JSON.stringify(frame.config);
  if (key === frame.taskChecked) return;
  frame.taskChecked = key;
  try {
    const scope = frame.scopeName();
    const error = widgetTaskError(await releases.declaredTasks(endpoint), scope, frame.config);
    if (error) frame.fail(error);
  } catch (err) {
    frame.fail(err);
  }
}

/** The scope the host's attributes name, or undefined once the frame has said why they name none. */
function scopeOrFail(frame: WidgetFrame): string | undefined {
  try {
    return frame.scopeName();
  } catch (err) {
    frame.fail(err);
    return undefined;
  }
}

/** Reads this host's grant and its ledger rows (never another host's) and tells the host its budget. */
export async function refresh(frame: WidgetFrame, answer = false): Promise<void> {
  const releases = frame.releases;
  if (!releases) return;
  const scope = scopeOrFail(frame);
  if (scope === undefined) return;
  try {
    const [budget, ledger] = await Promise.all([releases.budget(frame.grantName), releases.ledger(frame.grantName)]);
    frame.granted = true;
    frame.entries = ledger;
    await showBudget(frame, scope, budget, answer);
  } catch (err) {
    if (isErrorNamed(err, 'UnknownScopeError')) {
      frame.granted = false;
      frame.budget = undefined;
      frame.entries = [];
    } else frame.fail(err);
  }
}

/**
 * One commit, anywhere: only this host's grant and rows are taken from it (never another host's).
 * Before the grant exists nothing here changes but the grant's creation, which is read once.
 */
export function applyDelta(frame: WidgetFrame, delta: LedgerDelta): void {
  const budget = delta.budgets.scopes.find((s) => s.scope === frame.grantName);
  if (!budget) return;
  if (frame.granted !== true) return void refresh(frame);
  const mine = delta.entries.filter((e) => e.scope === frame.grantName);
  if (mine.length > 0) {
    const changed = new Map(mine.map((e) => [e.id, e]));
    const kept = frame.entries.map((e) => changed.get(e.id) ?? e);
    const known = new Set(frame.entries.map((e) => e.id));
    frame.entries = [...mine.filter((e) => !known.has(e.id)), ...kept];
  }
  const scope = scopeOrFail(frame);
  if (scope === undefined) return;
  void showBudget(frame, scope, budget, false).catch((err: unknown) => frame.fail(err));
}

/** Shows the grant's budget and tells the host, only when its numbers changed (or it asked). */
async function showBudget(frame: WidgetFrame, scope: string, budget: BudgetStatus, answer: boolean): Promise<void> {
  frame.budget = budget;
  const told = {
    scope,
    total: budget.total,
    // The grant's own remainder: the device's would tell this host what other hosts spent.
    remaining: budget.scopeRemaining,
    spent: budget.spent,
    releases: budget.releases,
  };
  // Every ledger change (the app's, any site's) wakes this: telling the host each time, numbers
  // unchanged, would time other sites' releases. It hears of its own changes, or when it asks.
  const key = JSON.stringify(told);
  if (answer || key !== frame.lastTold) frame.link.post({ type: 'budget', budget: told });
  frame.lastTold = key;
  await refreshQuote(frame);
}
