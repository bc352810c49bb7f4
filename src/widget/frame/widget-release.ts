/**
 * What a release from the widget may be, given what the host asked and what the person
 * chose inside the iframe. The host may lower ε, pick the mechanism, δ and projection,
 * name its own scope and an endpoint; it cannot raise ε above the person's setting, and
 * its endpoint must be one the server lists (the frame page's CSP allows no other).
 */
import { ObscuraError } from '../../errors';
import type { ReleaseOptions, VectorMechanismParams } from '../../release/index';
import type { WidgetConfig } from '../protocol';
import { hostScopeName } from './host-scope';

/** The person's own choices, made inside the iframe. */
export interface PersonSettings {
  readonly mechanism: VectorMechanismParams;
  readonly dims: number | undefined;
}

const DEFAULT_DELTA = 1e-6;

export function widgetReleaseOptions(
  hostOrigin: string,
  config: WidgetConfig,
  person: PersonSettings,
  allowedEndpoints: readonly string[],
): ReleaseOptions {
  const epsilon = Math.min(config.epsilon ?? person.mechanism.epsilon, person.mechanism.epsilon);
  const name = config.mechanism ?? person.mechanism.name;
  const personDelta = 'delta' in person.mechanism ? person.mechanism.delta : DEFAULT_DELTA;
  const mechanism: VectorMechanismParams =
    name === 'gaussian'
      ? { name, epsilon, delta: Math.min(config.delta ?? personDelta, personDelta) }
      : { name, epsilon };
  const dims = config.dims ?? person.dims;
  const scope = hostScopeName(hostOrigin, config.scope);
  if (config.endpoint === undefined) {
    return { mechanism, ...(dims ? { dims } : {}), scope, destination: `host page ${hostOrigin}`, send: false };
  }
  const endpointOrigin = new URL(config.endpoint).origin;
  if (!allowedEndpoints.includes(endpointOrigin)) {
    throw new ObscuraError(
      'InvalidParameterError',
      `the endpoint ${config.endpoint} is not one this server allows for the widget; allowed: ` +
        (allowedEndpoints.join(', ') || 'none'),
    );
  }
  return { mechanism, ...(dims ? { dims } : {}), scope, destination: config.endpoint };
}
