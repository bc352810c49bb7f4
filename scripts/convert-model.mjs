#!/usr/bin/env node
// Converts the MobileNetV2 that ships inside the `nsfwjs` npm package (MIT) into a
// plain tfjs layers-model folder (model.json + one .bin shard) that the app serves
// and the CLI reads. The package stores the model as UMD JS modules, which no tfjs
// loader understands, and the weights must not be committed, so this runs at
// install and build time.
//
// It also writes each cut the registry configures (MOBILENET_V2.cuts): a layers model
// whose output is the cut layer and whose shard holds only the weights of the layers
// that layer depends on, so a page that needs block_12_add does not download the rest.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

// Run at install: a failure says which step failed and what depends on it, not only a stack trace.
process.on('uncaughtException', (err) => {
  console.error(`model: conversion FAILED: ${err instanceof Error ? err.message : String(err)}`);
  console.error('model: the app, the CLI and the library need public/models/; fix the above, then "npm run prepare"');
  process.exit(1);
});
const started = performance.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const publicDir = join(root, 'public');
const registryFile = join(root, 'src', 'engine', 'model', 'registry.ts');
const { MOBILENET_V2 } = await tsImport(registryFile, import.meta.url);
const require = createRequire(import.meta.url);

// The model files are not in the package's `exports`: resolve them by file path.
const pkgDir = findPackageDir('nsfwjs');
function findPackageDir(name) {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`package ${name} is not installed; run npm install`);
}

const srcDir = join(pkgDir, 'dist', 'models', 'mobilenet_v2');
const topologyModule = join(srcDir, 'model.min.js');
const shardModule = join(srcDir, 'group1-shard1of1.min.js');
const shardName = 'group1-shard1of1.bin';
const outputs = [MOBILENET_V2.url, ...(MOBILENET_V2.cuts ?? []).map((c) => c.url)].map((url) => join(publicDir, url));

function upToDate() {
  const sources = [topologyModule, shardModule, registryFile, fileURLToPath(import.meta.url)];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  return outputs.every(
    (json) => existsSync(json) && existsSync(join(dirname(json), shardName)) && statSync(json).mtimeMs >= newest,
  );
}

if (upToDate() && !process.argv.includes('--force')) {
  console.error(`model: ${dirname(outputs[0])} is up to date`);
  process.exit(0);
}

const { modelTopology, weightsManifest } = require(topologyModule);
const shardBase64 = require(shardModule);
if (typeof shardBase64 !== 'string')
  throw new Error(`expected a base64 string in ${shardModule}, got ${typeof shardBase64}`);
const shard = Buffer.from(shardBase64, 'base64');

// Byte range of every weight in the shard, in manifest order. Checking the total against
// the shard size makes a changed package fail here, not in the browser.
const bytesPerDtype = { uint8: 1, uint16: 2, float16: 2, float32: 4, int32: 4 };
const specs = weightsManifest.flatMap((group) => group.weights);
let offset = 0;
const ranges = specs.map((w) => {
  const bytes = w.shape.reduce((a, b) => a * b, 1) * bytesPerDtype[w.quantization?.dtype ?? w.dtype];
  const range = { spec: w, start: offset, end: offset + bytes };
  offset += bytes;
  return range;
});
if (offset !== shard.length) {
  throw new Error(`weights shard has ${shard.length} bytes, the manifest describes ${offset}`);
}

const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;

function writeModel(jsonPath, topology, weights, data, generatedBy) {
  const modelJson = {
    format: 'layers-model',
    generatedBy,
    convertedBy: 'obscura scripts/convert-model.mjs',
    modelTopology: topology,
    weightsManifest: [{ paths: [shardName], weights }],
  };
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(join(dirname(jsonPath), shardName), data);
  writeFileSync(jsonPath, JSON.stringify(modelJson));
  console.error(`model: wrote ${jsonPath} and ${shardName} (${data.length} bytes)`);
}

/**
 * The part of a Keras functional model that `layerName` depends on: its ancestors through
 * the inbound nodes, kept in the original order, with `layerName` as the only output and
 * the weights whose layer is kept (a Keras weight is named "layer/variable").
 */
function cutAt(layerName) {
  const config = modelTopology.model_config.config;
  const byName = new Map(config.layers.map((l) => [l.name, l]));
  if (!byName.has(layerName)) throw new Error(`cannot cut at "${layerName}": the model has no such layer`);
  const kept = new Set();
  const pending = [layerName];
  while (pending.length > 0) {
    const name = pending.pop();
    if (kept.has(name)) continue;
    kept.add(name);
    for (const node of byName.get(name).inbound_nodes) for (const [source] of node) pending.push(source);
  }
  const { training_config: _training, ...rest } = modelTopology;
  const topology = {
    ...rest,
    model_config: {
      ...modelTopology.model_config,
      config: {
        ...config,
        layers: config.layers.filter((l) => kept.has(l.name)),
        input_layers: config.input_layers.filter(([name]) => kept.has(name)),
        output_layers: [[layerName, 0, 0]],
      },
    },
  };
  const keptRanges = ranges.filter((r) => kept.has(r.spec.name.split('/')[0]));
  const data = Buffer.concat(keptRanges.map((r) => shard.subarray(r.start, r.end)));
  return { topology, weights: keptRanges.map((r) => r.spec), data };
}

const generatedBy = `nsfwjs ${version} mobilenet_v2`;
writeModel(join(publicDir, MOBILENET_V2.url), modelTopology, specs, shard, generatedBy);
for (const cut of MOBILENET_V2.cuts ?? []) {
  const { topology, weights, data } = cutAt(cut.layer);
  writeModel(join(publicDir, cut.url), topology, weights, data, `${generatedBy}, cut at ${cut.layer}`);
}
console.error(
  `model: converted ${generatedBy} into ${dirname(outputs[0])} ` +
    `(${outputs.length} models) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
