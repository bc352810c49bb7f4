/**
 * The message the engine worker posts as the first thing its script does, before the rest of it (tfjs) is
 * evaluated: the page learns that the script has arrived, and may start downloads that would have competed
 * with it (the model's files) while the worker still evaluates. Comlink ignores it (it carries no call id).
 */
export const SCRIPT_ARRIVED = 'obscura:engine-script-arrived';

export function isScriptArrived(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>)[SCRIPT_ARRIVED] === true;
}
