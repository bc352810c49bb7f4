// Every kind of input, good and bad, through the real worker on WASM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeGeneratedFixtures } from './support/fixtures';
import { cosine, openEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let browser: Browser;
let page: Page;
let fixtures: string;

before(async () => {
  fixtures = await makeGeneratedFixtures();
  server = await startEnginePageServer();
  browser = await launchChromium({ fakeCamera: true, autoAllow: true });
  page = await openEnginePage(browser, server.url, fixtures);
  const status = await page.evaluate(() => (window as unknown as PageWindow).obscura.start({ backend: 'wasm' }));
  assert.equal(status.backend, 'wasm');
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const extract = (paths: string[]) =>
  page.evaluate((p) => (window as unknown as PageWindow).obscura.extractFixtures(p), paths);

test('each bad file gives its typed error, and the next good image still works', async () => {
  const cases: [string, string, RegExp][] = [
    ['skimage/truncated.jpg', 'DecodeError', /truncated jpeg/],
    ['generated/empty.jpg', 'DecodeError', /empty \(0 bytes\)/],
    ['generated/text.jpg', 'UnsupportedInputError', /not an image/],
    ['generated/drawing.svg', 'UnsupportedInputError', /SVG/],
    ['generated/one-pixel.png', 'ImageTooSmallError', /1x1/],
    ['generated/huge.png', 'ImageTooLargeError', /12000x12000 \(144\.0 MP\); the limit is 50 MP/],
  ];
  const [reference] = await extract(['skimage/chelsea.png']);
  assert.ok(reference!.ok);
  for (const [path, name, message] of cases) {
    const [bad, good] = await extract([path, 'skimage/chelsea.png']);
    assert.ok(!bad!.ok, `${path} was accepted`);
    if (!bad!.ok) {
      assert.equal(bad!.error.name, name, `${path}: ${bad!.error.message}`);
      assert.match(bad!.error.message, message);
    }
    assert.ok(
      good!.ok && reference!.ok && cosine(good!.value.vector, reference!.value.vector) === 1,
      `good image after ${path}`,
    );
  }
});

test('JPEG, PNG, WebP and GIF of one photo give near-identical features; EXIF orientation is applied', async () => {
  const results = await extract([
    'generated/chelsea-upright.jpg',
    'skimage/chelsea.png',
    'generated/chelsea.webp',
    'generated/chelsea.gif',
    'generated/chelsea-exif6.jpg',
  ]);
  const [jpeg, ...others] = results.map((r) => {
    assert.ok(r.ok, JSON.stringify(r));
    return r.ok ? r.value : undefined!;
  });
  for (const o of others.slice(0, 2))
    assert.ok(cosine(o.vector, jpeg!.vector) > 0.98, `cosine ${cosine(o.vector, jpeg!.vector)}`);
  assert.ok(cosine(others[2]!.vector, jpeg!.vector) > 0.9, 'GIF (256 colours) still close');
  // The rotated file with orientation 6 is shown upright, so it matches the upright photo.
  const rotated = others[3]!;
  assert.ok(
    cosine(rotated.vector, jpeg!.vector) > 0.98,
    `EXIF-rotated vs upright cosine ${cosine(rotated.vector, jpeg!.vector)}`,
  );
});

test('ImageData and ImageBitmap inputs work and match the file they came from', async () => {
  const result = await page.evaluate(async () => {
    const o = (window as unknown as PageWindow).obscura;
    const blob = await o.fixture('skimage/chelsea.png');
    const fromFile = await o.bridge().extract(blob);
    const bitmap = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    const imageData = canvas.getContext('2d')!.getImageData(0, 0, bitmap.width, bitmap.height);
    const fromImageData = await o.bridge().extract(imageData);
    const fromBitmap = await o.bridge().extract(bitmap);
    return {
      file: Array.from(fromFile.vector),
      data: Array.from(fromImageData.vector),
      bitmap: Array.from(fromBitmap.vector),
      transferred: bitmap.width === 0,
    };
  });
  assert.ok(cosine(result.data, result.file) > 0.995, `ImageData cosine ${cosine(result.data, result.file)}`);
  assert.ok(cosine(result.bitmap, result.file) > 0.995);
  assert.ok(result.transferred, 'the bitmap was transferred to the worker, not copied');
});

test('a fake camera gives a snapshot whose features are a vector', async () => {
  const result = await page.evaluate(async () => {
    const o = (window as unknown as PageWindow).obscura;
    const stream = await o.openCamera();
    const cameras = await o.listCameras();
    const video = document.getElementById('camera') as HTMLVideoElement;
    video.srcObject = stream;
    await video.play();
    const frame = await o.snapshot(video);
    const size = [frame.width, frame.height];
    const e = await o.bridge().extract(frame);
    o.stopStream(stream);
    return { size, cameras: cameras.length, vector: Array.from(e.vector) };
  });
  assert.ok(result.cameras >= 1);
  assert.ok(result.size[0]! >= 320, `frame ${result.size.join('x')}`);
  assert.equal(result.vector.length, 96);
  assert.ok(result.vector.some((x) => x !== 0));
});

test('a video file gives per-frame and pooled vectors', async () => {
  const result = await page.evaluate(async () => {
    const o = (window as unknown as PageWindow).obscura;
    const frames = await o.sampleVideoFrames(await o.fixture('generated/three-photos.webm'), { count: 6 });
    const v = await o.bridge().extractFrames(frames);
    return { frames: v.frames.map((f) => Array.from(f.vector)), pooled: Array.from(v.pooled) };
  });
  assert.equal(result.frames.length, 6);
  // Frames 1-2 show the cat, 3-4 the astronaut, 5-6 the coffee.
  assert.ok(cosine(result.frames[0]!, result.frames[1]!) > 0.97);
  assert.ok(cosine(result.frames[0]!, result.frames[2]!) < 0.9);
  const mean = result.pooled.map((_, j) => result.frames.reduce((s, f) => s + f[j]!, 0) / 6);
  assert.ok(result.pooled.every((x, j) => Math.abs(x - mean[j]!) < 1e-5));
});

test('video with no frames and non-video files give EmptyVideoError', async () => {
  for (const path of ['generated/empty.webm', 'generated/not-a-video.webm']) {
    const error = await page.evaluate(async (p) => {
      const o = (window as unknown as PageWindow).obscura;
      try {
        await o.sampleVideoFrames(await o.fixture(p));
        return undefined;
      } catch (err) {
        return (err as Error).name;
      }
    }, path);
    assert.equal(error, 'EmptyVideoError', path);
  }
});

test('tensor count stays flat over 300 extractions', async () => {
  const counts = await page.evaluate(async () => {
    const o = (window as unknown as PageWindow).obscura;
    const engine = await o.engineTest();
    const blob = await o.fixture('skimage/astronaut.png');
    await o.bridge().extract(blob);
    const before = await engine.memory();
    for (let i = 0; i < 300; i++) await o.bridge().extract(i % 2 ? blob : await o.fixture('skimage/coffee.png'));
    const after = await engine.memory();
    return { before, after };
  });
  assert.equal(counts.after.numTensors, counts.before.numTensors);
  assert.ok(counts.after.numBytes <= counts.before.numBytes);
});

test('a streamed batch hands each image over in order, as single calls would, a bad one as its error', async () => {
  const names = ['skimage/chelsea.png', 'generated/text.jpg', 'skimage/coffee.png', 'skimage/astronaut.png'];
  const heard = await page.evaluate((p) => (window as unknown as PageWindow).obscura.extractEachFixtures(p), names);
  const [alone] = await extract([names[2]!]);
  // Every item was heard by the time the call settled, in the files' order.
  assert.deepEqual(
    heard.map((h) => [h.index, h.outcome.ok ? 'ok' : h.outcome.error.name]),
    [
      [0, 'ok'],
      [1, 'UnsupportedInputError'],
      [2, 'ok'],
      [3, 'ok'],
    ],
  );
  const vector = (i: number) => {
    const o = heard[i]!.outcome;
    assert.ok(o.ok);
    return o.value.vector;
  };
  assert.ok(alone?.ok);
  assert.ok(Math.max(...alone.value.vector.map((x, j) => Math.abs(x - vector(2)[j]!))) <= 1e-6);
  assert.ok(cosine(vector(0), vector(2)) < 0.999, 'different photographs, different vectors');
});

test('an aborted call rejects with AbortError and the engine keeps its model', async () => {
  const result = await page.evaluate(async () => {
    const o = (window as unknown as PageWindow).obscura;
    const controller = new AbortController();
    const blob = await o.fixture('skimage/chelsea.png');
    const batch = o.bridge().extractBatch(
      Array.from({ length: 20 }, () => blob),
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 150);
    let name = 'none';
    try {
      await batch;
    } catch (err) {
      name = (err as Error).name;
    }
    const t0 = performance.now();
    await o.bridge().extract(blob);
    return { name, nextMs: performance.now() - t0 };
  });
  assert.equal(result.name, 'AbortError');
  assert.ok(result.nextMs < 2000, `the next extraction did not reload the model (${result.nextMs} ms)`);
});

test('model URL 404, corrupt weights, unknown layer and an unavailable backend give typed errors', async () => {
  await page.route('**/broken-model/model.json', (route) => route.fulfill({ status: 404, body: 'missing' }));
  await page.route('**/corrupt-model/model.json', async (route) => {
    const real = await (await fetch(`${server.url}/models/mobilenet_v2/model.json`)).json();
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(real) });
  });
  await page.route('**/corrupt-model/group1-shard1of1.bin', (route) =>
    route.fulfill({ status: 200, body: Buffer.alloc(1000) }),
  );
  const names = await page.evaluate(async () => {
    const o = (window as unknown as PageWindow).obscura;
    const base = {
      id: 'x',
      format: 'layers' as const,
      inputSize: [224, 224] as [number, number],
      normalization: { scale: 1 / 255, offset: 0 },
      resize: 'squash' as const,
      defaultLayer: 'out_relu',
    };
    // (No named inner functions: the test runner's transform would reference a helper the page lacks.)
    const out: string[] = [];
    for (const options of [
      { modelId: 'missing', models: [{ ...base, id: 'missing', url: '/broken-model/model.json' }] },
      { modelId: 'corrupt', models: [{ ...base, id: 'corrupt', url: '/corrupt-model/model.json' }] },
      { layer: 'no_such_layer' },
      { backend: 'webgpu' },
    ]) {
      try {
        await o.start(options as Record<string, unknown>);
        out.push('started');
      } catch (err) {
        out.push(`${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    return out;
  });
  assert.match(names[0]!, /^ModelLoadError: .*404/);
  assert.match(names[1]!, /^ModelLoadError/);
  assert.match(names[2]!, /^UnknownLayerError: unknown layer "no_such_layer"; the model has: .*out_relu/);
  assert.match(names[3]!, /^BackendUnavailableError: backend "webgpu" is not available/);
  const status = await page.evaluate(() => (window as unknown as PageWindow).obscura.start({ backend: 'wasm' }));
  assert.equal(status.backend, 'wasm', 'the engine starts normally after all that');
});

test('camera denied and no camera give their own errors', async () => {
  const denied = await launchChromium({ fakeCamera: true });
  const noCamera = await launchChromium({ autoAllow: true });
  try {
    const results: string[] = [];
    for (const b of [denied, noCamera]) {
      const p = await openEnginePage(b, server.url, fixtures);
      results.push(
        await p.evaluate(async () => {
          try {
            await (window as unknown as PageWindow).obscura.openCamera();
            return 'opened';
          } catch (err) {
            return (err as Error).name;
          }
        }),
      );
    }
    assert.deepEqual(results, ['CameraDeniedError', 'NoCameraError']);
  } finally {
    await denied.close();
    await noCamera.close();
  }
});

test('the bridge stops an idle worker and starts it again on the next call', async () => {
  const result = await page.evaluate(async () => {
    const o = (window as unknown as PageWindow).obscura;
    const bridge = new o.EngineBridge({ backend: 'wasm', idleStopMs: 300 });
    const blob = await o.fixture('skimage/chelsea.png');
    const first = await bridge.extract(blob);
    const runningAfterCall = (await bridge.status()) !== undefined;
    await new Promise((resolve) => setTimeout(resolve, 800));
    const runningWhenIdle = (await bridge.status()) !== undefined;
    const second = await bridge.extract(blob);
    bridge.stop();
    return {
      runningAfterCall,
      runningWhenIdle,
      same: first.contentHash === second.contentHash && first.vector.every((x, i) => x === second.vector[i]),
    };
  });
  assert.deepEqual(result, { runningAfterCall: true, runningWhenIdle: false, same: true });
});

test('model loading reports its progress to the page', async () => {
  const seen = await page.evaluate(() =>
    (window as unknown as PageWindow).obscura.progressOfStart({ backend: 'wasm' }),
  );
  const fetches = seen.filter((e) => e.phase === 'fetch');
  assert.ok(fetches.length >= 1 && fetches.at(-1)!.fraction === 1, JSON.stringify(seen));
  assert.deepEqual(seen.at(-1), { phase: 'build', fraction: 1 });
});

test('without its decoder thread, files decode in the engine thread with the same features and errors', async () => {
  const context = await browser.newContext();
  try {
    const lone = await openEnginePage(context, server.url, fixtures);
    await lone.evaluate(() => (window as unknown as PageWindow).obscura.start({ backend: 'wasm' }));
    // The decoder thread starts at the first file: from now on it loads a script the server does not have.
    await lone.evaluate(async () =>
      (await (window as unknown as PageWindow).obscura.engineTest()).refuseDecoderThread(),
    );
    const [reference] = await extract(['skimage/chelsea.png']);
    const [good, bad, again] = await lone.evaluate(
      (p) => (window as unknown as PageWindow).obscura.extractFixtures(p),
      ['skimage/chelsea.png', 'generated/text.jpg', 'skimage/chelsea.png'],
    );
    const refused = await lone.evaluate(async () =>
      (await (window as unknown as PageWindow).obscura.engineTest()).refuseDecoderThread(),
    );
    assert.equal(refused, 1, 'the engine started one decoder thread, which failed to load, and no second');
    assert.ok(reference!.ok && good!.ok && again!.ok);
    assert.equal(cosine(good!.value.vector, reference!.value.vector), 1);
    assert.equal(cosine(again!.value.vector, reference!.value.vector), 1);
    assert.ok(!bad!.ok && bad!.error.name === 'UnsupportedInputError', 'a bad file keeps its typed error');
  } finally {
    await context.close();
  }
});
