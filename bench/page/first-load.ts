// First-load benchmark page: opened in a fresh browser context, it starts the app's engine
// worker (?model=full loads the full network instead of the cut) and extracts one photo.
// Times are from navigation start, so they include the page, the worker, WASM and model.
import { EngineBridge } from '../../src/client/engine-bridge';
import { MOBILENET_V2 } from '../../src/engine/model/registry';

const FULL_ID = 'mobilenet_v2_full';

async function firstVector() {
  const full = new URLSearchParams(location.search).get('model') === 'full';
  const bridge = new EngineBridge({
    backend: 'wasm',
    ...(full ? { modelId: FULL_ID, models: [{ ...MOBILENET_V2, id: FULL_ID, cuts: [] }] } : {}),
  });
  const status = await bridge.start();
  const readyMs = performance.now();
  const photo = await (await fetch('/__fixtures__/skimage/chelsea.png')).blob();
  const extraction = await bridge.extract(photo);
  const firstVectorMs = performance.now();
  bridge.stop();
  return {
    firstVectorMs,
    readyMs,
    modelFetchMs: status.modelFetchMs,
    modelBuildMs: status.modelBuildMs,
    dims: extraction.vector.length,
    wasm: status.reasons.wasm,
    isolated: crossOriginIsolated,
  };
}

(window as unknown as { firstLoad: Promise<Awaited<ReturnType<typeof firstVector>>> }).firstLoad = firstVector();
