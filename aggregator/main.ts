/**
 * Starts one aggregator:
 *   node --import tsx aggregator/main.ts --role leader|helper --port P --dims D --bits B --n-min N \
 *     --verify-key K --peer-token T --analyst-token A [--helper-url URL] [--allow-origin O]...
 *     [--data DIR | --database postgres://…]   (env DATABASE_URL)
 * A wrong command line exits with status 2. --allow-origin names each page that uploads shares
 * from a browser (the app's origin); there is no wildcard.
 */
import { describeError, isErrorNamed, ObscuraError } from '../src/errors';
import { integerFlag } from '../src/number-flag';
import { closeOnSignals, readFlags } from '../server-kit/index';
import { startAggregator } from './server';

try {
  const { values } = readFlags(process.argv.slice(2), process.env, {
    role: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string' },
    data: { type: 'string' },
    database: { type: 'string', env: 'DATABASE_URL' },
    dims: { type: 'string' },
    bits: { type: 'string' },
    'n-min': { type: 'string' },
    'verify-key': { type: 'string' },
    'helper-url': { type: 'string' },
    'peer-token': { type: 'string' },
    'analyst-token': { type: 'string' },
    'allow-origin': { type: 'string', multiple: true, default: [] },
  });
  const need = (k: keyof typeof values): string => {
    const v = values[k];
    if (typeof v !== 'string' || v === '') throw new ObscuraError('InvalidParameterError', `--${k} is required`);
    return v;
  };
  const role = need('role');
  if (role !== 'leader' && role !== 'helper')
    throw new ObscuraError('InvalidParameterError', `--role must be leader or helper, got ${role}`);
  const running = await startAggregator({
    role,
    port: integerFlag('port', values.port!, 0, 65535),
    ...(values.host ? { host: values.host } : {}),
    ...(values.data ? { dataDir: values.data } : {}),
    ...(values.database ? { databaseUrl: values.database } : {}),
    dims: integerFlag('dims', need('dims'), 1),
    bits: integerFlag('bits', need('bits'), 1),
    nMin: integerFlag('n-min', need('n-min'), 1),
    verifyKey: need('verify-key'),
    ...(values['helper-url'] ? { helperUrl: values['helper-url'] } : {}),
    peerToken: need('peer-token'),
    analystToken: need('analyst-token'),
    allowedOrigins: values['allow-origin']!,
  });
  console.log(JSON.stringify({ role, url: running.url }));
  closeOnSignals('aggregator', () => running.close());
} catch (err) {
  console.error(`aggregator: ${describeError(err).message}`);
  process.exit(isErrorNamed(err, 'InvalidParameterError') ? 2 : 1);
}
