import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasmThreadCount } from '../../../src/engine/backends/wasm-thread-count';

test('threads only from 4 cores; then half the cores, at most 8', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 8, 12, 16, 64, Number.NaN].map(wasmThreadCount),
    [1, 1, 1, 1, 2, 2, 3, 4, 6, 8, 8, 1],
  );
});
