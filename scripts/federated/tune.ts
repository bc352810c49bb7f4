// Tuning sweeps for the federated evaluation on the stand-in features (fast, and not the features
// the reported figures come from). Each argument is a JSON object of overrides; one line a run.
//
//   nice -n 5 node --import tsx scripts/federated/tune.ts '{"epsilon":2}' '{"local":{"steps":5,"learningRate":2}}'
import { SeededRandom } from '../../eval/seeded-random';
import { cryptoRandomSource } from '../../src/privacy/random/random-source';
import { loadData } from './data';
import { accuracyOf, simulateFederated, type FederatedConfig } from './simulate';
import { DEAL, DEFAULT_CONFIG } from './schedule';

const data = await loadData(process.env['FEDERATED_FEATURES'] === 'real' ? 'real' : 'stand-in', DEAL);
console.log(`public ${(100 * accuracyOf(data.publicHead, data.test)).toFixed(2)}`);
for (const arg of process.argv.slice(2)) {
  const o = JSON.parse(arg) as Partial<FederatedConfig> & { init?: 'zero' | 'public'; seed?: number };
  const config = { ...DEFAULT_CONFIG, ...o } as FederatedConfig;
  const t0 = performance.now();
  const init = o.init === 'zero' ? data.zero : data.publicHead;
  const run = simulateFederated(
    init,
    data.train,
    data.devices,
    data.test,
    config,
    new SeededRandom(o.seed ?? 11),
    cryptoRandomSource,
    { evaluateEvery: Number(process.env['EVERY'] ?? 0), stats: data.publicStats },
  );
  const acc = accuracyOf(run.head, data.test);
  const by = run.accuracyByRound.map((a) => (100 * a).toFixed(1)).join(' ');
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${(100 * acc).toFixed(2)}  mu=${run.plan?.mu.toFixed(0)} rounds=${run.rounds} ${s}s ${arg} ${by}`);
}
