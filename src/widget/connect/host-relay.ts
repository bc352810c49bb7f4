/**
 * The first-party window's release service, narrowed to one host: the frame of that host may
 * release into the host's grant, read the grant's budget and the host's ledger rows, hand
 * over its engine's vector port, and keep a training example the person confirmed in the frame.
 * Nothing else: no other scope, no other host's rows, no grant
 * (only the person's click in this window creates one), no budget change.
 *
 * It is a frozen object of closures with no fields: comlink resolves any property path of what it
 * exposes, so a class instance would let the port's holder reach its bridge or rewrite its grant.
 */
import { ObscuraError } from '../../errors';
import type { ReleaseBridge } from '../../client/index';
import {
  hostGrantName,
  type LedgerQuery,
  type ReleaseApi,
  type ReleaseOptions,
  type TrainTaskRef,
} from '../../release/index';
import { isHostScope } from '../frame/host-scope';

export function hostRelay(bridge: ReleaseBridge, host: string): ReleaseApi {
  const grant = hostGrantName(host);
  const refuse = (what: string) =>
    new ObscuraError('InvalidParameterError', `the widget frame of ${host} may not ask for ${what}`);
  const never = (what: string) => (): never => {
    throw refuse(what);
  };
  return Object.freeze({
    release: (contentHash: string, options: ReleaseOptions) =>
      options.grant !== grant || options.host !== host || !isHostScope(host, options.scope ?? '')
        ? Promise.reject(refuse('a release into another budget than this host’s grant'))
        : bridge.release(contentHash, options),
    quote: (options: ReleaseOptions) =>
      options.grant !== grant || !isHostScope(host, options.scope ?? '')
        ? Promise.reject(refuse('the cost of a release into another budget than this host’s grant'))
        : bridge.quote(options),
    budget: (scope?: string) =>
      scope === grant ? bridge.budget(grant) : Promise.reject(refuse('another budget than this host’s grant')),
    ledger: () => bridge.ledger(grant),
    // Whatever scope is asked for, only the grant's rows.
    ledgerPage: (query: LedgerQuery) => bridge.ledgerPage({ ...query, scope: grant }),
    acceptVectors: (port: MessagePort) => bridge.acceptVectors(port),
    discardVectors: (contentHashes: readonly string[]) => bridge.discardVectors(contentHashes),
    flushOutbox: () => bridge.flushOutbox(),
    // Public data (any page may GET a collector's /tasks): the frame checks its attributes against it.
    declaredTasks: (destination: string) => bridge.declaredTasks(destination),
    budgets: never('the device’s other budgets'),
    ledgerHosts: never('the other hosts in the ledger'),
    createScope: never('a grant (the person allows a host in this window)'),
    configureScope: never('a budget change'),
    configureDevice: never('a budget change'),
    scopes: never('the device’s scopes'),
    listBudgetChanges: never('the device’s budget changes'),
    // Public data, as declaredTasks: the frame reads the training task the host names, and its labels.
    trainingTasks: (collector: string) => bridge.trainingTasks(collector),
    // The person's confirm click in the frame keeps one labelled example (widget-train.ts); the frame
    // never reads the person's examples back, removes them or joins a round: those are the app's.
    addTrainExample: (contentHash: string, task: TrainTaskRef, label: string) =>
      bridge.addTrainExample(contentHash, task, label),
    trainExamples: never('the person’s training examples'),
    removeTrainExamples: never('a training example'),
    joinTrainingRound: never('a training round'),
    refreshTrainingRounds: never('a training round'),
  });
}
