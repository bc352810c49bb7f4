import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameMessage, frameMessageSchema, hostMessageSchema, widgetConfigSchema } from '../../../src/widget/protocol';
import { isFrameMessage } from '../../../src/widget/frame-message-check';
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

/** Every way a message can be wrong by one step: a key dropped, added, or given another type. */
function mutations(message: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  const replacements: unknown[] = [null, undefined, 1, -1, 1e9, NaN, '', 'x', true, [], {}, [1]];
  for (const key of Object.keys(message)) {
    const { [key]: _dropped, ...rest } = message;
    out.push(rest);
    for (const r of replacements) out.push({ ...message, [key]: r });
    const inner = message[key];
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      for (const m of mutations(inner as Record<string, unknown>)) out.push({ ...message, [key]: m });
    }
  }
  out.push({ ...message, added: 1 });
  return out;
}

test('the loader check accepts exactly what the zod schema accepts: valid messages and every one-step mutation', () => {
  let accepted = 0;
  let refused = 0;
  for (const message of VALID) {
    assert.ok(isFrameMessage(message), `valid ${message.type} refused by the loader`);
    assert.ok(frameMessageSchema.safeParse(message).success, `valid ${message.type} refused by the schema`);
    for (const m of mutations(message as Record<string, unknown>)) {
      const zod = frameMessageSchema.safeParse(m).success;
      assert.equal(isFrameMessage(m), zod, `disagree on ${JSON.stringify(m)}`);
      if (zod) accepted++;
      else refused++;
    }
  }
  // The report body is loose (the iframe checks it against the report schema): some mutations stay valid.
  assert.ok(accepted > 0 && refused > 200, `accepted ${accepted}, refused ${refused}`);
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
