// A page preloads the model's files ahead of the engine's worker (EngineBridge.preloadModel): for the default
// layer they must be the files the engine fetches, each of them, or the page downloads a file the engine never
// reads and the engine still waits for the one it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';
import { modelFilesFor, modelFileUrls } from '../../../src/engine/model/model-files';
import { NODE_MODEL_ROOT } from '../../../src/engine/node/node-extractor';

test("the default layer's files are its model.json and every weight file its manifest lists", () => {
  const { url } = modelFilesFor(MOBILENET_V2, MOBILENET_V2.defaultLayer);
  const manifest = JSON.parse(readFileSync(join(NODE_MODEL_ROOT, url), 'utf8')) as {
    weightsManifest: { paths: string[] }[];
  };
  const weights = manifest.weightsManifest.flatMap((group) => group.paths).map((p) => join(dirname(url), p));
  const base = `${pathToFileURL(NODE_MODEL_ROOT).href}/`;
  const urls = modelFileUrls(MOBILENET_V2, MOBILENET_V2.defaultLayer, base);
  assert.deepEqual(
    urls,
    [url, ...weights].map((file) => new URL(file, base).href),
  );
  for (const href of urls) assert.ok(existsSync(new URL(href)), href);
  // Another layer is served by the full model, whose weight files are found from its model.json: only that.
  assert.deepEqual(modelFileUrls(MOBILENET_V2, 'out_relu', 'https://app.example/x/'), [
    `https://app.example/x/${MOBILENET_V2.url}`,
  ]);
});
