// The app's page preloads the default model's files (scripts/vite-model-preload.ts): they must be the files the
// engine fetches for the default layer, each of them, or the page downloads a file the engine never reads and the
// engine still waits for the one it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultModelFiles } from '../../../scripts/vite-model-preload';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';
import { modelFilesFor } from '../../../src/engine/model/model-files';
import { NODE_MODEL_ROOT } from '../../../src/engine/node/node-extractor';

test("the preloaded files are the default layer's model.json and every weight file its manifest lists", () => {
  const { url } = modelFilesFor(MOBILENET_V2, MOBILENET_V2.defaultLayer);
  const manifest = JSON.parse(readFileSync(join(NODE_MODEL_ROOT, url), 'utf8')) as {
    weightsManifest: { paths: string[] }[];
  };
  const weights = manifest.weightsManifest.flatMap((group) => group.paths).map((p) => join(dirname(url), p));
  assert.deepEqual(defaultModelFiles(), [url, ...weights]);
  for (const file of defaultModelFiles()) assert.ok(existsSync(join(NODE_MODEL_ROOT, file)), file);
});
