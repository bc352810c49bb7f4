// The registry names the default cut's weight files so the engine fetches them alongside model.json:
// they must be exactly what the converted model's weights manifest lists, or the early fetch is wasted
// and the weights are fetched a second time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';
import { configForLayer, modelFilesFor } from '../../../src/engine/model/model-files';
import { NODE_MODEL_ROOT } from '../../../src/engine/node/node-extractor';

test("each cut's weight files are the ones its model.json lists", async () => {
  for (const cut of MOBILENET_V2.cuts ?? []) {
    const manifest = JSON.parse(await readFile(join(NODE_MODEL_ROOT, cut.url), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    assert.deepEqual(
      cut.weights,
      manifest.weightsManifest.flatMap((group) => group.paths),
      cut.url,
    );
  }
});

test('the config for a layer carries the weight files of the files it loads, and no others', () => {
  const cut = MOBILENET_V2.cuts![0]!;
  assert.deepEqual(modelFilesFor(MOBILENET_V2, cut.layer), { url: cut.url, cut: true, weights: cut.weights });
  assert.deepEqual(configForLayer(MOBILENET_V2, cut.layer).weights, cut.weights);
  // The full model names none: its files are found from its model.json, one round trip later.
  assert.equal(configForLayer(MOBILENET_V2, 'out_relu').weights, undefined);
  const named = { ...MOBILENET_V2, weights: ['a.bin'] };
  assert.deepEqual(configForLayer(named, 'out_relu').weights, ['a.bin']);
  assert.equal(configForLayer({ ...named, cuts: [{ layer: 'x', url: 'x/model.json' }] }, 'x').weights, undefined);
});
