/**
 * A collector in its own Node process (collector/main.ts), as deployed: for tests and
 * benchmarks that run several processes on one database or kill one with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = resolve(ROOT, 'collector', 'main.ts');

export interface CollectorProcess {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (whatever the cause). */
  readonly exited: Promise<number | null>;
  /** SIGKILL: no shutdown, connections and in-flight requests cut. */
  kill9(): Promise<void>;
  /** SIGTERM: closes the server and the pool. */
  stop(): Promise<void>;
}

/** A tasks file holding `tasks` (a JSON array of tasks), in a fresh temporary folder: for `--tasks FILE`. */
export function writeTasksFile(tasks: readonly unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'obscura-tasks-')), 'tasks.json');
  writeFileSync(file, JSON.stringify(tasks));
  return file;
}

/**
 * Runs `collector/main.ts` with `args` (plus --port 0, and `--tasks` of a file holding `tasks`
 * when given) and resolves once it listens.
 */
export function startCollectorProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  tasks?: readonly unknown[],
): Promise<CollectorProcess> {
  const declared = tasks ? ['--tasks', writeTasksFile(tasks)] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', ...args, ...declared], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((resolveStart, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /collector: (http:\/\/[^\s]+)\/reports/.exec(log);
      if (!m) return;
      child.stderr!.off('data', onData);
      child.stderr!.resume();
      resolveStart({
        url: m[1]!,
        pid: child.pid!,
        child,
        exited,
        kill9: async () => {
          child.kill('SIGKILL');
          await exited;
        },
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`collector process exited (${code}) before listening: ${log}`)));
  });
}
