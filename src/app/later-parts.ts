/**
 * The app's parts that are not on its first screen, or that wait for the person: the budget and the scopes,
 * the grants and the ledger, the camera and training. The app's first render already places their
 * elements, undefined and empty, so that nothing on screen moves when they are defined; Lit keeps what was
 * set on an element before its upgrade. Their modules are evaluated, and their elements drawn, after the
 * first paint, in three imports (a task each): the page's start is then a few short tasks instead of one
 * long one.
 */
import { afterPaint } from './after-paint';

/** Defines the later parts' elements; resolves once every one is defined. */
export async function defineLaterParts(): Promise<void> {
  await afterPaint();
  await Promise.all([import('./later/budget'), import('./later/ledger'), import('./later/on-demand')]);
}
