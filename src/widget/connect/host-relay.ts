/**
 * The first-party window's release service, narrowed to one host: the frame of that host may
 * release into the host's grant, read the grant's budget and the host's ledger rows, and hand
 * over its engine's vector port. Nothing else: no other scope, no other host's rows, no grant
 * (only the person's click in this window creates one), no budget change.
 */
import { ObscuraError } from '../../errors';
import type { ReleaseBridge } from '../../client/index';
import { hostGrantName, type ReleaseApi, type ReleaseOptions } from '../../release/index';
import { isHostScope } from '../frame/host-scope';

class HostRelay implements ReleaseApi {
  private readonly grant: string;

  constructor(
    private readonly bridge: ReleaseBridge,
    private readonly host: string,
  ) {
    this.grant = hostGrantName(host);
  }

  release(contentHash: string, options: ReleaseOptions) {
    if (options.grant !== this.grant || options.host !== this.host || !isHostScope(this.host, options.scope ?? ''))
      return Promise.reject(this.refuse('a release into another budget than this host’s grant'));
    return this.bridge.release(contentHash, options);
  }

  budget(scope?: string) {
    if (scope !== this.grant) return Promise.reject(this.refuse('another budget than this host’s grant'));
    return this.bridge.budget(this.grant);
  }

  ledger() {
    return this.bridge.ledger(this.grant);
  }

  acceptVectors(port: MessagePort) {
    return this.bridge.acceptVectors(port);
  }

  budgets(): never {
    throw this.refuse('the device’s other budgets');
  }
  createScope(): never {
    throw this.refuse('a grant (the person allows a host in this window)');
  }
  configureScope(): never {
    throw this.refuse('a budget change');
  }
  configureDevice(): never {
    throw this.refuse('a budget change');
  }
  scopes(): never {
    throw this.refuse('the device’s scopes');
  }
  listBudgetChanges(): never {
    throw this.refuse('the device’s budget changes');
  }
  flushOutbox() {
    return this.bridge.flushOutbox();
  }

  private refuse(what: string): ObscuraError {
    return new ObscuraError('InvalidParameterError', `the widget frame of ${this.host} may not ask for ${what}`);
  }
}

/**
 * What is exposed on the port: a frozen object of the relay's own methods, no fields. comlink
 * resolves any property path of what it exposes, so a class instance would let the port's holder
 * reach its bridge (every budget) or rewrite its grant.
 */
export function hostRelay(bridge: ReleaseBridge, host: string): ReleaseApi {
  const relay = new HostRelay(bridge, host);
  return Object.freeze({
    release: (contentHash: string, options: ReleaseOptions) => relay.release(contentHash, options),
    budget: (scope?: string) => relay.budget(scope),
    ledger: () => relay.ledger(),
    acceptVectors: (port: MessagePort) => relay.acceptVectors(port),
    flushOutbox: () => relay.flushOutbox(),
    budgets: () => relay.budgets(),
    createScope: () => relay.createScope(),
    configureScope: () => relay.configureScope(),
    configureDevice: () => relay.configureDevice(),
    scopes: () => relay.scopes(),
    listBudgetChanges: () => relay.listBudgetChanges(),
  });
}
