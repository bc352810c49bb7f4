/**
 * What a release from the widget may be, given what the host asked and what the person
 * chose inside the iframe. The host may lower ε, pick the mechanism, δ and projection,
 * name its own scope, an endpoint and a codebook; it cannot raise ε above the person's
 * setting, and its endpoint must be one the server lists (the frame page's CSP allows no other).
 *
 * With mechanism krr or oue the widget releases a category as the app does: the codebook
 * labels the image inside the release worker and only the randomized label leaves. The
 * `codebook` attribute is an id, and the codebook is the app's own file at
 * /codebooks/<id>.json (the one its collector checks reports against); a root-relative URL,
 * which the release bridge resolves against the widget page, so always on the app's origin,
 * never a host's server. A category has no δ and no projection: `delta` and `dims` are ignored.
 */
import { ObscuraError } from '../../errors';
import type { CategoryReleaseOptions, ReleaseOptions, VectorMechanismParams } from '../../release/index';
import { CODEBOOK_ID, type WidgetConfig } from '../protocol';
import { checkAllowedEndpoint } from './allowed-endpoint';
import { hostScopeName } from './host-scope';

/** The person's own choices, made inside the iframe. */
export interface PersonSettings {
  readonly mechanism: VectorMechanismParams;
  readonly dims: number | undefined;
}

const DEFAULT_DELTA = 1e-6;

/** The app's codebook of that id (see the module comment). */
export function codebookUrl(id: string): string {
  return `/codebooks/${id}.json`;
}

export function widgetReleaseOptions(
  hostOrigin: string,
  config: WidgetConfig,
  person: PersonSettings,
  allowedEndpoints: readonly string[],
): ReleaseOptions {
  const epsilon = Math.min(config.epsilon ?? person.mechanism.epsilon, person.mechanism.epsilon);
  const name = config.mechanism ?? person.mechanism.name;
  const scope = hostScopeName(hostOrigin, config.scope);
  const target = destination(hostOrigin, config.endpoint, allowedEndpoints);
  if (name === 'krr' || name === 'oue') {
    const options: CategoryReleaseOptions = {
      mechanism: { name, epsilon },
      codebook: codebookUrl(codebookId(config.codebook, name)),
      scope,
      ...target,
    };
    return options;
  }
  const personDelta = 'delta' in person.mechanism ? person.mechanism.delta : DEFAULT_DELTA;
  const mechanism: VectorMechanismParams =
    name === 'gaussian'
      ? { name, epsilon, delta: Math.min(config.delta ?? personDelta, personDelta) }
      : { name, epsilon };
  const dims = config.dims ?? person.dims;
  return { mechanism, ...(dims ? { dims } : {}), scope, ...target };
}

/** The host's codebook id, checked again here (the schema did once) because it becomes a URL path. */
function codebookId(id: string | undefined, mechanism: string): string {
  if (id === undefined) {
    throw new ObscuraError(
      'InvalidParameterError',
      `mechanism="${mechanism}" releases a category and needs a codebook attribute (the id of a codebook ` +
        'the app serves, such as codebook="fashion-10")',
      { attribute: 'codebook' },
    );
  }
  if (!CODEBOOK_ID.test(id)) {
    throw new ObscuraError(
      'InvalidParameterError',
      `expected a codebook id of 1 to 64 letters, digits or . _ -, got ${id}`,
      { attribute: 'codebook' },
    );
  }
  return id;
}

/** The host page only (nothing POSTed), or an endpoint on the server's list. */
function destination(
  hostOrigin: string,
  endpoint: string | undefined,
  allowedEndpoints: readonly string[],
): { destination: string; send?: false } {
  if (endpoint === undefined) return { destination: `host page ${hostOrigin}`, send: false };
  checkAllowedEndpoint(endpoint, allowedEndpoints);
  return { destination: endpoint };
}
