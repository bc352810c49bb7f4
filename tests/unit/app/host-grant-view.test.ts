// The app's list of widget hosts: each grant by site with its spend and releases from the running sums,
// the origins of its site among the ledger's hosts, and revoke / allow-again as budget changes that keep
// the grant's window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedAgainGrant, hostGrantRows, revokedGrant } from '../../../src/app/host-grant-view';
import { hostGrantName, type BudgetOverview, type BudgetStatus } from '../../../src/release/index';

const lifetime = { kind: 'lifetime' } as const;

function status(scope: string, total: number, spent: number, releases = 0): BudgetStatus {
  return {
    scope,
    total,
    spent,
    releases,
    remaining: Math.max(0, total - spent),
    scopeRemaining: Math.max(0, total - spent),
    window: lifetime,
  } as unknown as BudgetStatus;
}

const shop = hostGrantName('https://example.co.uk');
const news = hostGrantName('http://127.0.0.1:8080');
const overview = {
  scopes: [status('default', 10, 2, 2), status(shop, 4, 3, 3), status(news, 0, 1, 1)],
} as unknown as BudgetOverview;

test('grants only, by site, with their releases and the origins of their site among the hosts', () => {
  const hosts = [
    'http://127.0.0.1:8080',
    'https://example.co.uk:8443',
    'https://example.co.uk',
    'https://other.example',
  ];
  const rows = hostGrantRows(overview, hosts);
  assert.deepEqual(
    rows.map((r) => [r.site, r.total, r.spent, r.remaining, r.releases, r.state]),
    [
      ['http://127.0.0.1', 0, 1, 0, 1, 'revoked'],
      ['https://example.co.uk', 4, 3, 1, 3, 'allowed'],
    ],
  );
  assert.deepEqual(rows[1]!.origins, ['https://example.co.uk', 'https://example.co.uk:8443']);
});

test('no overview yet: no rows', () => {
  assert.deepEqual(hostGrantRows(undefined, []), []);
});

test('revoke sets the total to 0 and allow-again back to the one-click grant; the window stays', () => {
  const [, row] = hostGrantRows(overview, []);
  assert.deepEqual(revokedGrant(row!), { name: shop, totalEpsilon: 0, window: lifetime });
  assert.deepEqual(allowedAgainGrant(row!), { name: shop, totalEpsilon: 4, window: lifetime });
});
