// The app's plain words for the budget's and the privacy limits' errors, by name and parameter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainError } from '../../../src/app/error-text';
import { ObscuraError } from '../../../src/errors';
import { invalidParameter } from '../../../src/privacy/errors';
import { validateParams } from '../../../src/privacy/mechanism';

function thrown(run: () => void): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

test('an unknown scope and an existing one are explained, with the detail after', () => {
  const unknown = new ObscuraError('UnknownScopeError', 'no budget scope "x"; create it first', { scope: 'x' });
  assert.match(explainError(unknown), /^That budget scope does not exist\. Create it .*\(no budget scope "x"/);
  const exists = new ObscuraError('ScopeExistsError', 'a budget scope "x" already exists', { scope: 'x' });
  assert.match(explainError(exists), /^A budget scope of that name already exists/);
});

test('ε below the floor or above the ceiling, and δ above the target, name the limits', () => {
  const low = thrown(() => validateParams({ name: 'privunit', epsilon: 0.001 }));
  assert.match(explainError(low), /^ε must be between 0\.01 and 16 for one release\./);
  const high = thrown(() => validateParams({ name: 'laplace', epsilon: 17 }));
  assert.match(explainError(high), /^ε must be between 0\.01 and 16/);
  const delta = thrown(() => validateParams({ name: 'gaussian', epsilon: 1, delta: 1e-5 }));
  assert.match(explainError(delta), /^δ may not exceed the device-wide target of 0\.000001\./);
  // Errors cross the worker as plain objects: the parameter travels in `details`.
  const crossed = { name: 'InvalidParameterError', message: 'window.ms ...', details: { parameter: 'window.ms' } };
  assert.match(explainError(crossed), /^A rolling budget window must be at least one day\./);
  assert.match(explainError(invalidParameter('dims', 'an integer', 0)), /^A privacy setting is out of range\./);
});
