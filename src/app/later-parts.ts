/**
 * The app's parts that are not on its first screen, or that wait for the person to act: the budget, the
 * scopes, the grants, the ledger, the results, the camera, a batch's progress and training. The app's
 * first render already places their elements, undefined and empty, so that nothing on screen moves when
 * they are defined; Lit keeps what was set on an element before its upgrade. Their modules are evaluated,
 * and their elements drawn, after the first paint and each in a task of its own (one per import): the
 * page's start is then several short tasks instead of one long one.
 */
import { afterPaint } from './after-paint';

/** Defines the later parts' elements; resolves once every one is defined. */
export async function defineLaterParts(): Promise<void> {
  await afterPaint();
  await Promise.all([
    import('./components/budget-gauge'),
    import('./components/scope-settings'),
    import('./components/result-card'),
    import('./components/result-pager'),
    import('./components/batch-progress'),
    import('./components/host-grants'),
    import('./components/ledger-view'),
    import('./components/camera-panel'),
    import('./components/training-panel'),
  ]);
}
