import { ObscuraError } from '../../errors';

/**
 * Refuses a host's `endpoint` whose origin is not on the server's list (the frame page's CSP allows no
 * other): one rule for where a release is sent and which collector declares a training task.
 */
export function checkAllowedEndpoint(endpoint: string, allowedEndpoints: readonly string[]): void {
  if (allowedEndpoints.includes(new URL(endpoint).origin)) return;
  throw new ObscuraError(
    'InvalidParameterError',
    `the endpoint ${endpoint} is not one this server allows for the widget; allowed: ` +
      (allowedEndpoints.join(', ') || 'none'),
    { attribute: 'endpoint' },
  );
}
