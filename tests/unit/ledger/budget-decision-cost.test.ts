// A ledger spread over many distinct ε (a widget host may pick any ε up to the person's setting) must not
// make the budget decision's composition grow with that number: it convolves at most PLD_GROUPS_MAX
// groups, merged upward, so the charge only rises and the work stays bounded. (Its time on such
// ledgers, beside an honest one, is in `npm run bench -- budget`.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addCharge,
  composedEpsilonUnits,
  costOf,
  emptyTotals,
  EPSILON_GRID,
  mergedGroups,
  PLD_GROUPS_MAX,
} from '../../../src/privacy/accountant';
import { composedEpsilon } from '../../../src/privacy/pld';
import { DELTA_TARGET, EPSILON_MIN } from '../../../src/privacy/limits';

test('many distinct ε are merged into at most PLD_GROUPS_MAX groups, each at an ε no smaller than its charges', () => {
  const groups = Array.from({ length: 128 }, (_, i) => ({ epsilon: EPSILON_MIN * 2 ** (i / 128), count: 3 + (i % 4) }));
  const merged = mergedGroups(groups);
  assert.ok(merged.length <= PLD_GROUPS_MAX, `${merged.length} groups`);
  assert.equal(
    merged.reduce((s, g) => s + g.count, 0),
    groups.reduce((s, g) => s + g.count, 0),
  );
  // Every charge lands in the first merged group at or above its own ε, and the counts there add up.
  const landed = new Map<number, number>();
  for (const g of groups) {
    const into = merged.find((m) => m.epsilon >= g.epsilon);
    assert.ok(into, `no merged group at or above ε ${g.epsilon}`);
    landed.set(into.epsilon, (landed.get(into.epsilon) ?? 0) + g.count);
  }
  for (const m of merged) assert.equal(landed.get(m.epsilon), m.count);
  // A handful of values is left as it is.
  const few = groups.slice(0, PLD_GROUPS_MAX);
  assert.deepEqual(mergedGroups(few), few);
});

test('the charge of a ledger over 24 distinct ε is never below its unmerged composition, and within 15 % of it', () => {
  const totals = emptyTotals();
  const groups = new Map<number, number>();
  for (let i = 0; i < 120; i++) {
    const cost = costOf({ name: 'laplace', epsilon: EPSILON_MIN * 2 ** ((i % 24) / 24) });
    addCharge(totals, { epsilonUnits: cost.epsilonUnits, rhoUnits: 0 });
    groups.set(cost.epsilonUnits, (groups.get(cost.epsilonUnits) ?? 0) + 1);
  }
  const charged = composedEpsilonUnits(totals) * EPSILON_GRID;
  const unmerged = composedEpsilon(
    { pure: [...groups].map(([units, count]) => ({ epsilon: units * EPSILON_GRID, count })), muSquared: 0 },
    DELTA_TARGET,
  );
  assert.ok(charged >= unmerged, `charged ${charged} below the unmerged ${unmerged}`);
  assert.ok(charged <= unmerged * 1.15, `charged ${charged} against ${unmerged}`);
});
