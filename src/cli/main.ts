import { describeError } from '../errors';
import type { CliIo } from './cli-io';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  extract: {
    summary:
      'extract [--clean] [--model ID] [--layer NAME] [--batch N] [--scope S] ' +
      '[--mechanism privunit|gaussian|laplace --epsilon E [--delta D] [--dims K]] ' +
      '[--mechanism krr|oue --codebook FILE --epsilon E] PATH...',
    load: async () => (await import('./commands/extract')).run,
  },
  privatize: {
    summary:
      'privatize --mechanism privunit|gaussian|laplace --epsilon E [--delta D] [--dims K] ' +
      '[--model ID --layer NAME] [--scope S] < vectors.jsonl\n' +
      '  obscura privatize --mechanism krr|oue --codebook FILE --epsilon E [--scope S] < vectors.jsonl',
    load: async () => (await import('./commands/privatize')).run,
  },
  calibrate: {
    summary: 'calibrate --mechanism gaussian|privunit|laplace --epsilon E [--delta D] [--sensitivity S] [--dims D]',
    load: async () => (await import('./commands/calibrate')).run,
  },
  codebook: {
    summary: 'codebook build --labels DIR... [--id ID] [--classifier linear|nearest-centroid] > codebook.json',
    load: async () => (await import('./commands/codebook')).run,
  },
  send: {
    summary:
      'send --collector URL [--scope S] [--concurrency N] [--max-attempts N] [--backoff-base MS] < reports.jsonl',
    load: async () => (await import('./commands/send')).run,
  },
  train: {
    summary:
      'train --collector URL --task ID [--collector-token T] [--analyst-token T] [--wait] [--batch ID]' +
      '   (obscura train --help: the JSON fields)',
    load: async () => (await import('./commands/train')).run,
  },
  'widget-scope': {
    summary: 'widget-scope --origin https://shop.example [--scope S] [--json]',
    load: async () => (await import('./commands/widget-scope')).run,
  },
};

function usage(): string {
  return [
    'usage: obscura <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  obscura ${c.summary}`),
    '',
  ].join('\n');
}

/** Runs one CLI invocation and resolves to its exit status. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(
      `obscura: unknown command "${name}"; expected one of ${Object.keys(COMMANDS).join(', ')}\n\n${usage()}`,
    );
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (err) {
    const { name: errName, message } = describeError(err);
    io.stderr.write(`obscura ${name}: ${errName}: ${message}\n`);
    return 2;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  // `obscura … | head` closes the pipe before the output ends: stop quietly, as a Unix tool
  // does on SIGPIPE, instead of crashing on the EPIPE write error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const status = await main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  // Let stdout drain before exiting (large JSONL outputs to a pipe).
  process.stdout.write('', () => process.exit(status));
}
