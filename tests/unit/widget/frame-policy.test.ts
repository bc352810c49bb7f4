// The widget frame's pure rules: whose scopes, which host, what a host may ask for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeOrigin, hostScopeName, isHostScope } from '../../../src/widget/frame/host-scope';
import { resolveHostOrigin } from '../../../src/widget/frame/host-origin';
import { widgetReleaseOptions, type PersonSettings } from '../../../src/widget/frame/widget-release';

const SCOPE_NAME = /^[A-Za-z0-9._:-]{1,128}$/;

test('host scope names are valid ledger scope names, and (origin, scope) → name is injective', () => {
  const origins = [
    'http://127.0.0.1:5173',
    'http://127.0.0.1:51730',
    'http://127.0.0.1',
    'https://a.example',
    'https://a.example:443',
    'https://a-b.example',
    'https://a_b.example',
    'https://a_5Fb.example',
    'https://a.example.com',
    'https://a.exam',
    'http://[::1]:8080',
    'https://xn--bcher-kva.example',
    'https://bücher.example',
    'https://a.example:8',
  ];
  const scopes = ['default', 'a', 'a.b', 'a_b', 'a-b', '_5F', 'x'.repeat(64), 'b', 'example:8'.replace(':', '')];
  const seen = new Map<string, string>();
  for (const o of origins) {
    for (const s of scopes) {
      const name = hostScopeName(o, s);
      assert.match(name, SCOPE_NAME);
      const pair = JSON.stringify([o, s]);
      assert.equal(seen.get(name) ?? pair, pair, `${name} came from two pairs`);
      seen.set(name, pair);
      assert.ok(isHostScope(o, name));
      for (const other of origins) if (other !== o) assert.ok(!isHostScope(other, name), `${other} owns ${name}`);
    }
  }
  assert.equal(seen.size, origins.length * scopes.length);
  // The escaping decodes back: it loses nothing.
  for (const o of origins) {
    const decoded = new TextDecoder().decode(
      Uint8Array.from(
        escapeOrigin(o)
          .match(/_[0-9A-F]{2}|[^_]/g)!
          .map((t) => (t.startsWith('_') ? parseInt(t.slice(1), 16) : t.charCodeAt(0))),
      ),
    );
    assert.equal(decoded, o);
  }
});

test('a scope the ledger could not hold is refused with a typed error', () => {
  assert.throws(() => hostScopeName('https://a.example', 'a:b'), { name: 'InvalidParameterError' });
  assert.throws(() => hostScopeName('https://a.example', ''), { name: 'InvalidParameterError' });
  assert.throws(() => hostScopeName(`https://${'a'.repeat(120)}.example`, 'default'), {
    name: 'InvalidParameterError',
  });
});

test('the host origin must be what the browser says embeds the frame', () => {
  assert.deepEqual(resolveHostOrigin('?host=http%3A%2F%2F127.0.0.1%3A4000', ['http://127.0.0.1:4000']), {
    ok: true,
    origin: 'http://127.0.0.1:4000',
  });
  // Without ancestorOrigins (Firefox) the referrer's origin decides; with neither, the frame refuses.
  assert.equal(resolveHostOrigin('?host=http%3A%2F%2F127.0.0.1%3A4000', undefined, 'http://127.0.0.1:4000/').ok, true);
  assert.equal(resolveHostOrigin('?host=https%3A%2F%2Fvictim.example', undefined, 'https://evil.example/').ok, false);
  assert.equal(resolveHostOrigin('?host=http%3A%2F%2F127.0.0.1%3A4000', undefined, '').ok, false);
  const lie = resolveHostOrigin('?host=https%3A%2F%2Fbank.example', ['http://127.0.0.1:4000']);
  assert.equal(lie.ok, false);
  assert.match(!lie.ok ? lie.reason : '', /bank\.example.*127\.0\.0\.1:4000/);
  assert.equal(resolveHostOrigin('', ['http://127.0.0.1:4000']).ok, false);
  assert.equal(resolveHostOrigin('?host=http%3A%2F%2Fa.example%2Fpath', ['http://a.example']).ok, false);
  assert.equal(resolveHostOrigin('?host=null', ['null']).ok, false);
  assert.equal(resolveHostOrigin('?host=http%3A%2F%2Fa.example', []).ok, false);
});

const person: PersonSettings = { mechanism: { name: 'privunit', epsilon: 2 }, dims: undefined };
const HOST = 'http://127.0.0.1:4000';

test('a host may lower ε, never raise it; its scope is its own; no endpoint means the host page only', () => {
  const lower = widgetReleaseOptions(HOST, { epsilon: 0.5, scope: 'shop' }, person, []);
  assert.deepEqual(lower, {
    mechanism: { name: 'privunit', epsilon: 0.5 },
    scope: hostScopeName(HOST, 'shop'),
    destination: `host page ${HOST}`,
    send: false,
  });
  const higher = widgetReleaseOptions(HOST, { epsilon: 16 }, person, []);
  assert.equal(higher.mechanism.epsilon, 2);
  assert.equal(higher.scope, hostScopeName(HOST, 'default'));
  const gaussian = widgetReleaseOptions(HOST, { mechanism: 'gaussian', delta: 0.5, dims: 16 }, person, []);
  assert.deepEqual(gaussian.mechanism, { name: 'gaussian', epsilon: 2, delta: 1e-6 });
  assert.equal(gaussian.dims, 16);
});

test('an endpoint is used only when the server lists its origin', () => {
  const ok = widgetReleaseOptions(HOST, { endpoint: 'http://127.0.0.1:5174/reports' }, person, [
    'http://127.0.0.1:5174',
  ]);
  assert.equal(ok.destination, 'http://127.0.0.1:5174/reports');
  assert.equal(ok.send, undefined);
  assert.throws(() => widgetReleaseOptions(HOST, { endpoint: 'https://evil.example/r' }, person, ['http://a.b']), {
    name: 'InvalidParameterError',
    message: /evil\.example.*allowed: http:\/\/a\.b/,
  });
});
