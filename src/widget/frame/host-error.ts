/**
 * What a host page may be told of an error. The device-wide budget is drawn on by the app and
 * by every other site, so a refusal because of it carries no numbers and no refill time: those
 * would tell this host what others have released, and when. A refusal by the host's own scope
 * is the host's own business and is passed on as it is.
 */
import { describeError } from '../../errors';

export const DEVICE_BUDGET_REFUSAL = "this device's privacy budget does not allow this release now";

export function hostSafeError(err: unknown): { name: string; message: string } {
  const described = describeError(err);
  if (described.name !== 'BudgetExhaustedError') return described;
  const budget = (err as { details?: Record<string, unknown> } | null)?.details?.['budget'];
  return budget === 'scope' ? described : { name: described.name, message: DEVICE_BUDGET_REFUSAL };
}
