// node --import tsx collector/main.ts [--port 5174] [--host 127.0.0.1] [--data DIR] [--allow-origin URL]...
import { parseArgs } from 'node:util';
import { startCollector } from './server';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '5174' }, host: { type: 'string', default: '127.0.0.1' }, data: { type: 'string', default: '.data/collector' }, 'allow-origin': { type: 'string', multiple: true, default: ['http://localhost:5173', 'http://127.0.0.1:5173'] } },
});
const collector = await startCollector({ port: Number(values.port), host: values.host, dataDir: values.data, allowedOrigins: values['allow-origin'] });
console.error(`collector: listening on ${collector.url} (data in ${values.data})`);
