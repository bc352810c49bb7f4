// The privacy core stays pure: no tfjs, storage, DOM, network or Node modules, and no Math.random.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(process.cwd(), 'src', 'privacy');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('src/privacy imports only itself and the shared error table', () => {
  const sources = files(ROOT);
  assert.ok(sources.length >= 10);
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      assert.ok(spec.startsWith('./') || spec.startsWith('../'), `${file} imports "${spec}"`);
      assert.ok(!/tfjs|idb|comlink|zod|^node:/.test(spec), `${file} imports "${spec}"`);
    }
    assert.ok(!/\bimport\s*\(/.test(text), `${file} has a dynamic import`);
    assert.ok(!/Math\.random/.test(text), `${file} uses Math.random`);
    assert.ok(
      !/\b(window|document|navigator|indexedDB|localStorage|fetch|XMLHttpRequest|require)\b\s*[.(]/.test(text),
      `${file} reaches for the DOM, storage or the network`,
    );
  }
});

test('outside src/privacy, the only shared module it imports is the error table', () => {
  for (const file of files(ROOT)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from\s*['"]([^'"]+)['"]/g)) {
      const resolved = join(file, '..', m[1]!);
      assert.ok(
        resolved.startsWith(ROOT) || resolved === join(process.cwd(), 'src', 'errors'),
        `${file} imports ${resolved}`,
      );
    }
  }
});
