// The collector on its own:
//   node --import tsx collector/main.ts [--port 5174] [--host 127.0.0.1] [--data .data/collector | --memory]
//                                        [--allow-origin URL]... [--max-body BYTES]
import { parseArgs } from 'node:util';
import { describeError } from '../src/errors';
import { startCollector } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env['COLLECTOR_PORT'] ?? '5174' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string', default: '.data/collector' },
    memory: { type: 'boolean', default: false },
    'allow-origin': { type: 'string', multiple: true, default: ['http://localhost:5173', 'http://127.0.0.1:5173'] },
    'max-body': { type: 'string', default: String(1024 * 1024) },
  },
});

try {
  const collector = await startCollector({
    port: Number(values.port),
    host: values.host,
    ...(values.memory ? { inMemory: true } : { dataDir: values.data }),
    allowedOrigins: values['allow-origin'],
    maxBodyBytes: Number(values['max-body']),
  });
  console.error(
    `collector: ${collector.url}/reports, data ${values.memory ? 'in memory' : `in ${values.data}`}, origins ${values['allow-origin']!.join(' ')}`,
  );
  const stop = () => void collector.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(`collector: ${describeError(err).message}`);
  process.exit(1);
}
