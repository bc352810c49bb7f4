#!/usr/bin/env node
// Converts the MobileNetV2 that ships inside the `nsfwjs` npm package (MIT) into a
// plain tfjs layers-model folder (model.json + one .bin shard) that the app serves
// and the CLI reads. The package stores the model as UMD JS modules, which no tfjs
// loader understands, and the weights must not be committed, so this runs at
// install and build time.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'models', 'mobilenet_v2');
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

const modelJsonPath = join(outDir, 'model.json');
const shardName = 'group1-shard1of1.bin';
const shardPath = join(outDir, shardName);

function upToDate() {
  if (!existsSync(modelJsonPath) || !existsSync(shardPath)) return false;
  const built = statSync(modelJsonPath).mtimeMs;
  return built >= statSync(topologyModule).mtimeMs && built >= statSync(shardModule).mtimeMs;
}

if (upToDate() && !process.argv.includes('--force')) {
  console.error(`model: ${outDir} is up to date`);
  process.exit(0);
}

const { modelTopology, weightsManifest } = require(topologyModule);
const shardBase64 = require(shardModule);
if (typeof shardBase64 !== 'string')
  throw new Error(`expected a base64 string in ${shardModule}, got ${typeof shardBase64}`);
const shard = Buffer.from(shardBase64, 'base64');

// Check the shard size against the manifest so a changed package fails here, not in the browser.
const bytesPerDtype = { uint8: 1, uint16: 2, float16: 2, float32: 4, int32: 4 };
let expected = 0;
for (const group of weightsManifest) {
  for (const w of group.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    expected += n * bytesPerDtype[w.quantization?.dtype ?? w.dtype];
  }
}
if (expected !== shard.length) {
  throw new Error(`weights shard has ${shard.length} bytes, the manifest describes ${expected}`);
}

const manifest = weightsManifest.map((group) => ({ ...group, paths: [shardName] }));
const modelJson = {
  format: 'layers-model',
  generatedBy: `nsfwjs ${JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version} mobilenet_v2`,
  convertedBy: 'obscura scripts/convert-model.mjs',
  modelTopology,
  weightsManifest: manifest,
};

mkdirSync(outDir, { recursive: true });
writeFileSync(shardPath, shard);
writeFileSync(modelJsonPath, JSON.stringify(modelJson));
console.error(`model: wrote ${modelJsonPath} and ${shardName} (${shard.length} bytes)`);
