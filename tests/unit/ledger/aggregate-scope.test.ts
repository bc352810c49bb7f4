// An aggregate-only scope's configuration: each bad field is a typed error naming it; an entry's state
// follows its two shares; an outbox share that is not exactly one share of one report is never sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateScopeMode, type AggregateScope } from '../../../src/ledger/aggregate-scope';
import { combinedState, type DeliveryState, type ShareOutboxEntry } from '../../../src/ledger/ledger-schema';
import { invalidShareReason, shareRequest } from '../../../src/outbox/share-delivery';

const good: AggregateScope = {
  leader: 'https://leader.example/',
  helper: 'https://helper.example:8443/agg/',
  nMin: 100,
  trust: '  the two do not collude ',
  epsilon: 1,
  delta: 1e-8,
  dims: 16,
};

function parameterOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    assert.equal((err as Error).name, 'InvalidParameterError');
    return (err as { details?: { parameter?: string } }).details?.parameter;
  }
}

test('a valid configuration is normalised; each bad field is an InvalidParameterError naming it', () => {
  assert.deepEqual(validateScopeMode({ mode: 'aggregate-only', aggregate: good }).aggregate, {
    ...good,
    leader: 'https://leader.example',
    helper: 'https://helper.example:8443/agg',
    trust: 'the two do not collude',
  });
  assert.deepEqual(validateScopeMode({}), {});
  const bad: [Partial<AggregateScope> & Record<string, unknown>, string][] = [
    [{ leader: 'leader.example' }, 'aggregate.leader'],
    [{ leader: 'ftp://leader.example' }, 'aggregate.leader'],
    [{ helper: 'https://user:pw@helper.example' }, 'aggregate.helper'],
    [{ helper: 'https://leader.example/helper' }, 'aggregate.helper'],
    [{ nMin: 1 }, 'aggregate.nMin'],
    [{ nMin: 2.5 }, 'aggregate.nMin'],
    [{ epsilon: 0 }, 'aggregate.epsilon'],
    [{ delta: 1e-3 }, 'aggregate.delta'],
    [{ dims: 0 }, 'aggregate.dims'],
    [{ trust: '   ' }, 'aggregate.trust'],
    // Too little ε for so small a batch: each share's noise could not be sampled.
    [{ nMin: 2, epsilon: 0.05 }, 'aggregate.epsilon'],
  ];
  for (const [change, parameter] of bad)
    assert.equal(
      parameterOf(() => validateScopeMode({ mode: 'aggregate-only', aggregate: { ...good, ...change } })),
      parameter,
      JSON.stringify(change),
    );
  assert.equal(
    parameterOf(() => validateScopeMode({ mode: 'aggregate-only' })),
    'aggregate',
  );
  assert.equal(
    parameterOf(() => validateScopeMode({ aggregate: good })),
    'mode',
  );
  assert.equal(
    parameterOf(() => validateScopeMode({ mode: 'both' as 'local' })),
    'mode',
  );
});

test('an entry is delivered only when both shares are, rejected when either is', () => {
  const of = (leader: DeliveryState, helper: DeliveryState) =>
    combinedState({ leader: { destination: 'l', state: leader }, helper: { destination: 'h', state: helper } });
  assert.equal(of('delivered', 'delivered'), 'delivered');
  assert.equal(of('delivered', 'queued'), 'queued');
  assert.equal(of('delivered', 'retrying'), 'retrying');
  assert.equal(of('sending', 'retrying'), 'sending');
  assert.equal(of('delivered', 'rejected'), 'rejected');
  assert.equal(of('rejected', 'sending'), 'rejected');
});

test('a share goes out as exactly {publicShare, inputShare} to its report URL, or not at all', () => {
  const id = 'AAAAAAAAAAAAAAAAAAAAAA';
  const entry: ShareOutboxEntry = {
    id: `${id}.leader`,
    entryId: id,
    role: 'leader',
    destination: `https://leader.example/reports/${id}`,
    share: { publicShare: 'cHVibGlj', inputShare: 'aW5wdXQ' },
    attempts: 0,
    nextAttemptAt: 0,
  };
  assert.equal(invalidShareReason(entry), undefined);
  const request = shareRequest(entry);
  assert.equal(request.method, 'PUT');
  assert.deepEqual(request.headers, { 'Content-Type': 'application/json' });
  assert.equal(request.body, '{"publicShare":"cHVibGlj","inputShare":"aW5wdXQ"}');
  for (const broken of [
    { ...entry, id: `${id}.helper` },
    { ...entry, destination: 'https://leader.example/reports/other' },
    { ...entry, share: { ...entry.share, vector: '1' } },
    { ...entry, share: { ...entry.share, inputShare: 'not base64url!' } },
  ])
    assert.equal(invalidShareReason(broken as ShareOutboxEntry)?.name, 'InvalidReportError');
});
