/**
 * Starts one aggregator:
 *   node --import tsx aggregator/main.ts --role leader|helper --port P --dims D --bits B --n-min N \
 *     --verify-key K --peer-token T --analyst-token A [--helper-url URL] [--allow-origin O]
 *     [--data DIR | --database postgres://…]   (env DATABASE_URL)
 */
import { parseArgs } from 'node:util';
import { startAggregator } from './server';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string' },
    data: { type: 'string' },
    database: { type: 'string', default: process.env['DATABASE_URL'] },
    dims: { type: 'string' },
    bits: { type: 'string' },
    'n-min': { type: 'string' },
    'verify-key': { type: 'string' },
    'helper-url': { type: 'string' },
    'peer-token': { type: 'string' },
    'analyst-token': { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
  },
});
const need = (k: keyof typeof values): string => {
  const v = values[k];
  if (typeof v !== 'string' || v === '') throw new Error(`--${k} is required`);
  return v;
};
const role = need('role');
if (role !== 'leader' && role !== 'helper') throw new Error(`--role must be leader or helper, got ${role}`);
const running = await startAggregator({
  role,
  port: Number(values.port),
  ...(values.host ? { host: values.host } : {}),
  ...(values.data ? { dataDir: values.data } : {}),
  ...(values.database ? { databaseUrl: values.database } : {}),
  dims: Number(need('dims')),
  bits: Number(need('bits')),
  nMin: Number(need('n-min')),
  verifyKey: need('verify-key'),
  ...(values['helper-url'] ? { helperUrl: values['helper-url'] } : {}),
  peerToken: need('peer-token'),
  analystToken: need('analyst-token'),
  allowedOrigins: values['allow-origin'] ?? [],
});
console.log(JSON.stringify({ role, url: running.url }));
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
