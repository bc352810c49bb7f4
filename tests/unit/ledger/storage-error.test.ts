import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storageError } from '../../../src/ledger/ledger-schema';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

test('IndexedDB failures become the named errors a person can act on', () => {
  const full = storageError(named('QuotaExceededError')) as Error;
  assert.equal(full.name, 'StorageFullError');
  assert.match(full.message, /nothing was sent/);
  for (const name of ['InvalidStateError', 'UnknownError', 'SecurityError']) {
    const unavailable = storageError(named(name, 'the database connection is closing')) as Error;
    assert.equal(unavailable.name, 'StorageUnavailableError', name);
    assert.match(unavailable.message, /connection is closing/);
  }
  // Anything else (a refusal, a bug) passes through unchanged.
  const other = named('BudgetExhaustedError');
  assert.equal(storageError(other), other);
});
