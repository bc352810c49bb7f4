// A category release from the widget: the host names a codebook by id, the app serves it, ε only goes down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObscuraError } from '../../../src/errors';
import { widgetConfigSchema, type WidgetConfig } from '../../../src/widget/protocol';
import { hostSafeError } from '../../../src/widget/frame/host-error';
import { hostScopeName } from '../../../src/widget/frame/host-scope';
import { widgetReleaseOptions, type PersonSettings } from '../../../src/widget/frame/widget-release';

const HOST = 'https://shop.example';
const APP_PAGE = 'https://obscura.example/widget.html?host=https%3A%2F%2Fshop.example';
const person: PersonSettings = { mechanism: { name: 'privunit', epsilon: 2 }, dims: 32 };

/** The config as the frame gets it: through the schema, as the host's attributes would arrive. */
function configured(config: Record<string, unknown>): WidgetConfig {
  const parsed = widgetConfigSchema.safeParse(config);
  assert.ok(parsed.success, JSON.stringify(config));
  return parsed.data;
}

test('krr with a codebook releases a category over the app’s own /codebooks/<id>.json', () => {
  const options = widgetReleaseOptions(
    HOST,
    configured({ mechanism: 'krr', codebook: 'fashion-10', epsilon: 1, scope: 'survey' }),
    person,
    [],
  );
  assert.deepEqual(options, {
    mechanism: { name: 'krr', epsilon: 1 },
    codebook: '/codebooks/fashion-10.json',
    scope: hostScopeName(HOST, 'survey'),
    destination: `host page ${HOST}`,
    send: false,
  });
  // The release bridge resolves it against the widget page: the app's origin, whatever the host is.
  assert.equal(new URL(options.codebook as string, APP_PAGE).href, 'https://obscura.example/codebooks/fashion-10.json');
});

test('oue: the host may lower ε, never raise it; δ and dims do not apply to a category', () => {
  const raised = widgetReleaseOptions(
    HOST,
    configured({ mechanism: 'oue', codebook: 'fashion-10', epsilon: 9, delta: 0.5, dims: 16 }),
    person,
    [],
  );
  assert.deepEqual(raised.mechanism, { name: 'oue', epsilon: 2 });
  assert.equal(raised.dims, undefined);
  const lowered = widgetReleaseOptions(HOST, configured({ mechanism: 'oue', codebook: 'x', epsilon: 0.5 }), person, []);
  assert.deepEqual(lowered.mechanism, { name: 'oue', epsilon: 0.5 });
});

test('a category goes to an endpoint only when the server lists it', () => {
  const config = configured({ mechanism: 'krr', codebook: 'fashion-10', endpoint: 'https://c.example/reports' });
  const options = widgetReleaseOptions(HOST, config, person, ['https://c.example']);
  assert.equal(options.destination, 'https://c.example/reports');
  assert.equal(options.send, undefined);
  assert.throws(() => widgetReleaseOptions(HOST, config, person, []), {
    name: 'InvalidParameterError',
    details: { attribute: 'endpoint' },
  });
});

test('krr or oue without a codebook is an InvalidParameterError naming the attribute', () => {
  for (const mechanism of ['krr', 'oue']) {
    assert.throws(
      () => widgetReleaseOptions(HOST, configured({ mechanism }), person, []),
      (err: ObscuraError) => {
        assert.equal(err.name, 'InvalidParameterError');
        assert.match(err.message, new RegExp(`mechanism="${mechanism}".*codebook attribute`));
        assert.deepEqual(err.details, { attribute: 'codebook' });
        // The host hears the attribute's name, nothing more.
        assert.deepEqual(hostSafeError(err), {
          name: 'InvalidParameterError',
          message: "the widget's codebook attribute cannot be used here",
        });
        return true;
      },
    );
  }
});

test('a codebook id is a file name: the schema refuses paths and URLs, and so does the release', () => {
  for (const id of ['../tasks', 'a/b', 'https://evil.example/c', '', 'x'.repeat(65), 'a b', 'a?b', 'a#b']) {
    assert.equal(widgetConfigSchema.safeParse({ codebook: id }).success, false, id);
    // Were the schema ever bypassed, the id still never becomes another path.
    assert.throws(() => widgetReleaseOptions(HOST, { mechanism: 'krr', codebook: id }, person, []), {
      name: 'InvalidParameterError',
    });
  }
  for (const id of ['fashion-10', 'v1.2_b', 'x'.repeat(64)])
    assert.ok(widgetConfigSchema.safeParse({ codebook: id }).success);
});

test('a vector mechanism ignores the codebook attribute and keeps its own rules', () => {
  const options = widgetReleaseOptions(
    HOST,
    configured({ mechanism: 'gaussian', codebook: 'fashion-10', epsilon: 3, delta: 1e-9 }),
    person,
    [],
  );
  assert.equal(options.codebook, undefined);
  assert.deepEqual(options.mechanism, { name: 'gaussian', epsilon: 2, delta: 1e-9 });
  assert.equal(options.dims, 32);
});
