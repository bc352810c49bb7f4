import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grantSite, hostGrantName, isHostGrant, siteOf } from '../../../src/release/host-grant';

test("one grant per host site: a host's ports and scopes share it, other host names never do", () => {
  assert.equal(hostGrantName('https://shop.example:8443'), hostGrantName('https://shop.example'));
  assert.equal(grantSite(hostGrantName('https://shop.example:8443')), 'https://shop.example');
  // Without the Public Suffix List no two host names are merged: github.io users stay apart.
  assert.notEqual(hostGrantName('https://alice.github.io'), hostGrantName('https://bob.github.io'));
  assert.notEqual(hostGrantName('http://shop.example'), hostGrantName('https://shop.example'));
  assert.equal(siteOf('http://127.0.0.2:4000'), 'http://127.0.0.2');
  assert.ok(isHostGrant(hostGrantName('http://[::1]:80')));
  assert.match(hostGrantName('https://xn--bcher-kva.example'), /^grant:[A-Za-z0-9._-]+$/);
});
