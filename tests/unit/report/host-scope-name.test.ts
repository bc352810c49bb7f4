// A widget host's scope name reads back into the origin and the host's scope it was made from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostScopeName, hostScopeOf } from '../../../src/report/host-scope-name';

test('every host scope name reads back into its origin and scope; other names do not', () => {
  for (const [origin, scope] of [
    ['https://shop.example', 'default'],
    ['http://127.0.0.2:8080', 'photos_2026'],
    ['https://xn--bcher-kva.example', 'a.b-c'],
  ] as const)
    assert.deepEqual(hostScopeOf(hostScopeName(origin, scope)), { origin, scope });
  for (const name of [
    'default',
    'grant:https_3A_2F_2Fshop.example',
    'site:https_3A_2F_2Fshop.example',
    'site:https_3a_2F_2Fshop.example:default',
    'site:https_3A_2F_2Fshop.example:de fault',
    'site:_ZZ:default',
    'site:https_3A_2F_2Fa:b:c',
  ])
    assert.equal(hostScopeOf(name), undefined, name);
});
