// The collector on its own:
//   node --import tsx collector/main.ts [serve] [--port 5174] [--host 127.0.0.1]
//        [--data .data/collector | --memory | --database postgres://…]   (env DATABASE_URL)
//        [--allow-origin URL]... [--allow-host NAME:PORT]... [--read-token T] (env COLLECTOR_READ_TOKEN)
//        [--rate-limit N] [--max-body BYTES] [--pool N] [--codebooks DIR (default: public/codebooks)]
//        [--tasks FILE (a JSON array of tasks; default: the app's own scopes, collector/tasks.ts)]
//        [--train-token T] (env COLLECTOR_TRAIN_TOKEN: the coordinator's, for `obscura train`; none: no round opens)
//   A tasks file that cannot be read or declares a task no release can meet: exit status 2.
//   node --import tsx collector/main.ts repair [--data DIR | --database URL]     re-derive totals from raw reports
//   node --import tsx collector/main.ts drop --before YYYY-MM-DD [--data DIR | --database URL]   drop old days
import { existsSync } from 'node:fs';
import { describeError, isErrorNamed } from '../src/errors';
import { DEFAULT_RATE_LIMIT, startCollector } from './server';
import { ReportStore } from './store';
import { DEFAULT_CODEBOOKS_DIR, describeCodebooks, loadCodebookDir } from './codebooks';
import { describeTasks, resolveTasks } from './tasks';
import { integerFlag } from '../src/number-flag';
import { closeOnSignals, readFlags } from '../server-kit/index';

let flags;
try {
  flags = readFlags(
    process.argv.slice(2),
    process.env,
    {
      port: { type: 'string', env: 'COLLECTOR_PORT', default: '5174' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string', default: '.data/collector' },
      memory: { type: 'boolean', default: false },
      database: { type: 'string', env: 'DATABASE_URL' },
      'allow-origin': { type: 'string', multiple: true, default: ['http://localhost:5173', 'http://127.0.0.1:5173'] },
      'allow-host': { type: 'string', multiple: true, default: [] },
      'read-token': { type: 'string', env: 'COLLECTOR_READ_TOKEN' },
      'rate-limit': { type: 'string', default: String(DEFAULT_RATE_LIMIT) },
      'max-body': { type: 'string', default: String(1024 * 1024) },
      pool: { type: 'string', default: '8' },
      before: { type: 'string' },
      codebooks: { type: 'string' },
      tasks: { type: 'string' },
      'train-token': { type: 'string', env: 'COLLECTOR_TRAIN_TOKEN' },
    },
    { positionals: true },
  );
} catch (err) {
  console.error(`collector: ${describeError(err).message}`);
  process.exit(2);
}
const { values, positionals } = flags;

const command = positionals[0] ?? 'serve';
const where = values.database ? { databaseUrl: values.database } : values.memory ? {} : { dataDir: values.data };
const described = values.database
  ? `PostgreSQL ${new URL(values.database).host}`
  : values.memory
    ? 'in memory'
    : `in ${values.data}`;

try {
  if (command === 'serve') {
    // The project's demo codebooks unless told otherwise; without any, every category report is refused.
    const dir = values.codebooks ?? (existsSync(DEFAULT_CODEBOOKS_DIR) ? DEFAULT_CODEBOOKS_DIR : undefined);
    const codebooks = dir === undefined ? new Map() : await loadCodebookDir(dir);
    console.error(`collector: ${describeCodebooks(codebooks, dir)}`);
    const { tasks, train, source } = await resolveTasks(values.tasks, codebooks);
    console.error(`collector: ${describeTasks(tasks, source, train)}`);
    const collector = await startCollector({
      codebooks,
      tasks: [...tasks, ...train],
      ...(values['train-token'] ? { trainToken: values['train-token'] } : {}),
      port: integerFlag('port', values.port!, 0, 65535),
      host: values.host,
      ...(values.database ? { databaseUrl: values.database } : values.memory ? { inMemory: true } : where),
      poolSize: integerFlag('pool', values.pool!, 1),
      allowedOrigins: values['allow-origin'],
      allowedHosts: values['allow-host'],
      ...(values['read-token'] ? { readToken: values['read-token'] } : {}),
      rateLimit: integerFlag('rate-limit', values['rate-limit']!, 0),
      maxBodyBytes: integerFlag('max-body', values['max-body']!, 1),
    });
    console.error(
      `collector: ${collector.url}/reports, dashboard ${collector.url}/dashboard, data ${described}, ` +
        `origins ${values['allow-origin']!.join(' ')}` +
        (values['read-token'] ? ', reads need the token' : ''),
    );
    closeOnSignals('collector', () => collector.close());
  } else if (command === 'repair' || command === 'drop') {
    const store = await ReportStore.open(where);
    try {
      if (command === 'repair') {
        const t0 = performance.now();
        const { groups, reports } = await store.repair();
        const ms = (performance.now() - t0).toFixed(0);
        console.log(JSON.stringify({ repaired: { groups, reports, ms: Number(ms) } }));
      } else {
        if (!values.before || !/^\d{4}-\d{2}-\d{2}$/.test(values.before))
          throw new Error('drop needs --before YYYY-MM-DD');
        console.log(JSON.stringify({ dropped: await store.dropBefore(values.before) }));
      }
    } finally {
      await store.close();
    }
  } else {
    throw new Error(`unknown command ${command}; commands: serve (default), repair, drop`);
  }
} catch (err) {
  console.error(`collector: ${describeError(err).message}`);
  process.exit(isErrorNamed(err, 'InvalidTaskError') || isErrorNamed(err, 'InvalidParameterError') ? 2 : 1);
}
