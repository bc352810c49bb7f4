import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  frameMessage,
  hostMessageSchema,
  isFrameMessage,
  widgetConfigSchema,
  type FrameMessage,
} from '../../../src/widget/protocol';
import { NUMERIC_ATTRIBUTES, WIDGET_ATTRIBUTES } from '../../../src/widget/attributes';

const VALID = [
  frameMessage({ type: 'ready', hostOrigin: 'http://127.0.0.1:4000' }),
  frameMessage({ type: 'report', report: { v: 1, id: 'r-1', scope: 'survey', vector: [0.5], extra: { a: 1 } } }),
  frameMessage({ type: 'budget', budget: { scope: 'survey', total: 2, remaining: 1.5, spent: 0.5, releases: 1 } }),
  frameMessage({ type: 'error', error: { name: 'BudgetExhaustedError', message: 'spent' } }),
  frameMessage({
    type: 'error',
    error: { name: 'UndeclaredScopeError', message: 'undeclared', scope: 'site:https_3A_2F_2Fa.example:photos' },
  }),
  frameMessage({ type: 'resize', height: 420 }),
];

/** Keys the schema leaves free: the report's own fields past v, id and scope; the error's optional scope. */
const FREE = new Set(['report.vector', 'report.extra', 'error.scope']);
const WRONG_VALUES: Record<string, unknown[]> = {
  string: [null, undefined, 1, NaN, true, [], {}],
  number: [null, undefined, '1', NaN, Infinity, -Infinity, true, [], {}],
  object: [null, undefined, 1, 'x', true, [], [1]],
};

/** Every way a message can be wrong by one step: a required key dropped, a key added, a value of another type. */
function wrongByOneStep(message: Record<string, unknown>, path = ''): unknown[] {
  const out: unknown[] = [];
  for (const key of Object.keys(message)) {
    const at = path ? `${path}.${key}` : key;
    if (FREE.has(at)) continue;
    const { [key]: _dropped, ...rest } = message;
    out.push(rest);
    const inner = message[key];
    for (const wrong of WRONG_VALUES[typeof inner]!) out.push({ ...message, [key]: wrong });
    if (typeof inner === 'object' && inner !== null) {
      for (const m of wrongByOneStep(inner as Record<string, unknown>, at)) out.push({ ...message, [key]: m });
    }
  }
  if (path !== 'report') out.push({ ...message, added: 1 });
  return out;
}

test('the one frame message schema accepts each message the frame posts and refuses every one-step error', () => {
  let refused = 0;
  for (const message of VALID) {
    assert.ok(isFrameMessage(message), `valid ${message.type} refused`);
    for (const m of wrongByOneStep(message as Record<string, unknown>)) {
      assert.equal(isFrameMessage(m), false, `accepted ${JSON.stringify(m)}`);
      refused++;
    }
    for (const [key, wrong] of [
      ['protocol', 'obscura-window'],
      ['v', 2],
      ['type', message.type === 'ready' ? 'resize' : 'ready'],
    ] as const) {
      assert.equal(isFrameMessage({ ...message, [key]: wrong }), false, `${message.type} with ${key} ${wrong}`);
    }
  }
  assert.ok(refused > 300, `refused ${refused}`);
  // A message the protocol does not have, or one built on another prototype, is refused too.
  assert.equal(isFrameMessage(frameMessage({ type: 'grant', epsilon: 100 } as never)), false);
  assert.equal(isFrameMessage(Object.assign(Object.create({}), VALID[0])), false);
});

test('the frame message schema leaves free exactly what the frame does not promise', () => {
  const [, report, budget, error, , resize] = VALID as [FrameMessage, ...FrameMessage[]];
  const body = (report as Extract<FrameMessage, { type: 'report' }>).report;
  // The report's own fields pass unchecked (the iframe checked the report); v, id and scope stay required.
  assert.ok(isFrameMessage({ ...report, report: { ...body, anything: [null, { deep: true }] } }));
  assert.ok(isFrameMessage({ ...report, report: { v: 2, id: '', scope: 'x' } }));
  // The error's scope may be absent, undefined or a string, and nothing else.
  const told = { name: 'UndeclaredScopeError', message: 'undeclared' };
  for (const scope of [undefined, '', 'photos']) assert.ok(isFrameMessage({ ...error, error: { ...told, scope } }));
  assert.ok(isFrameMessage({ ...error, error: told }));
  // Numbers are any finite numbers, and a height is within 0..10000.
  assert.ok(isFrameMessage({ ...budget, budget: { scope: 's', total: 0, remaining: -1, spent: 1e9, releases: 0.5 } }));
  for (const height of [0, 10000]) assert.ok(isFrameMessage({ ...resize, height }));
  for (const height of [-1, 10000.5]) assert.equal(isFrameMessage({ ...resize, height }), false);
});

test('the host can only configure; a forged release, grant or budget message fails the host schema', () => {
  const base = { protocol: 'obscura-widget', v: 1 };
  assert.ok(hostMessageSchema.safeParse({ ...base, type: 'configure', config: { epsilon: 1 } }).success);
  for (const type of ['release', 'grant', 'budget', 'auto-release', 'report']) {
    assert.equal(hostMessageSchema.safeParse({ ...base, type, config: {} }).success, false, type);
  }
  assert.equal(hostMessageSchema.safeParse({ ...base, v: 2, type: 'configure', config: {} }).success, false);
  assert.equal(hostMessageSchema.safeParse({ ...base, type: 'configure', config: { total: 100 } }).success, false);
});

test('configuration bounds: ε at most 16, a scope name without separators, an http(s) endpoint', () => {
  assert.ok(
    widgetConfigSchema.safeParse({ scope: 'survey-1', epsilon: 2, endpoint: 'https://c.example/reports' }).success,
  );
  assert.equal(widgetConfigSchema.safeParse({ epsilon: 17 }).success, false);
  assert.equal(widgetConfigSchema.safeParse({ epsilon: 0 }).success, false);
  assert.equal(widgetConfigSchema.safeParse({ scope: 'a/b' }).success, false);
  assert.equal(widgetConfigSchema.safeParse({ endpoint: 'javascript:alert(1)' }).success, false);
  assert.equal(widgetConfigSchema.safeParse({ dims: 1.5 }).success, false);
});

test('the loader sends exactly the schema’s keys, as numbers exactly where the schema wants numbers', () => {
  const shape = widgetConfigSchema.def.shape as Record<string, { def: { innerType: { def: { type: string } } } }>;
  assert.deepEqual([...WIDGET_ATTRIBUTES].sort(), Object.keys(shape).sort());
  const numeric = Object.keys(shape).filter((k) => shape[k]!.def.innerType.def.type === 'number');
  assert.deepEqual([...NUMERIC_ATTRIBUTES].sort(), numeric.sort());
});

test('krr and oue are mechanisms; a codebook is an id, not a path or a URL', () => {
  for (const mechanism of ['privunit', 'gaussian', 'laplace', 'krr', 'oue']) {
    assert.ok(widgetConfigSchema.safeParse({ mechanism, codebook: 'fashion-10' }).success, mechanism);
  }
  assert.equal(widgetConfigSchema.safeParse({ mechanism: 'rappor' }).success, false);
  for (const codebook of ['../x', '/codebooks/a.json', 'https://a.example/c.json', '', 'x'.repeat(65)]) {
    assert.equal(widgetConfigSchema.safeParse({ codebook }).success, false, codebook);
  }
});

test('train-task is a task id and suggested-label a label; the host has no way to say "keep it"', () => {
  assert.ok(widgetConfigSchema.safeParse({ 'train-task': 'parcels', 'suggested-label': 'Damaged box' }).success);
  for (const task of ['', 'a/b', '../x', 'x'.repeat(129), 'a b']) {
    assert.equal(widgetConfigSchema.safeParse({ 'train-task': task }).success, false, task);
  }
  for (const label of ['', 'x'.repeat(201), 3, null]) {
    assert.equal(widgetConfigSchema.safeParse({ 'suggested-label': label }).success, false, String(label));
  }
  // The camelCase spelling is not the attribute; a confirmation, a chosen label or an example is no key at all.
  for (const key of ['trainTask', 'suggestedLabel', 'confirm', 'label', 'store', 'example', 'train-confirm']) {
    assert.equal(widgetConfigSchema.safeParse({ 'train-task': 'parcels', [key]: 'Bag' }).success, false, key);
  }
  const base = { protocol: 'obscura-widget', v: 1 };
  for (const type of ['train-confirm', 'confirm', 'label', 'add-example', 'store-example']) {
    const forged = { ...base, type, config: { 'train-task': 'parcels', 'suggested-label': 'Bag' }, label: 'Bag' };
    assert.equal(hostMessageSchema.safeParse(forged).success, false, type);
  }
});

test('the frame tells the host nothing of training: no message of the frame carries a label or an example', () => {
  for (const type of ['train', 'example', 'label', 'train-example', 'stored']) {
    assert.equal(isFrameMessage(frameMessage({ type, label: 'Bag' } as never)), false, type);
  }
  const [ready] = VALID as [FrameMessage];
  assert.equal(isFrameMessage({ ...ready, label: 'Bag' }), false);
});
