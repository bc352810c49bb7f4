/**
 * The tasks a collector declares (src/report/task.ts): read once at start from a tasks file, or
 * the app's own defaults, and checked against what this collector can take. A task that no
 * release could meet (a codebook this collector does not know, a model other than its
 * codebook's) stops the start with the file, the task and the field named, so a collector
 * never serves a declaration whose reports it would then refuse.
 */
import { readFile } from 'node:fs/promises';
import { ObscuraError } from '../src/errors';
import { parseTasks, type Task, type TaskInput } from '../src/report/task';
import { parseTrainTasks, type TrainTask, type TrainTaskInput } from '../src/codebook/train-task';
import type { CodebookRegistry } from './codebooks';

/** A task as given to the collector: as written in a tasks file, or already normalised. */
export type TaskDeclaration =
  (Readonly<Omit<TaskInput, 'epsilon'>> & { readonly epsilon: number | readonly number[] }) | Task;

/** The ε values the app offers and the default tasks allow: the app's default (2) and its halvings and doublings. */
export const DEFAULT_TASK_EPSILONS: readonly number[] = [0.5, 1, 2, 4, 8];
/** The codebook the app offers category releases of (public/codebooks/fashion-10.json). */
export const DEFAULT_TASK_CODEBOOK = 'fashion-10';

/**
 * What a collector declares without a tasks file: the app's own releases. Scope "default"
 * (the app's scope) takes PrivUnit, the app's default mechanism; the app's other mechanisms
 * each have a scope of their name (Gaussian at the device-wide δ, as the app's default δ).
 * All at the default model and layer, without projection, clip 1, at DEFAULT_TASK_EPSILONS.
 * The category scopes (k-RR and OUE over the app's codebook) are declared only where the
 * collector has that codebook.
 */
export function defaultTaskDeclarations(codebooks: CodebookRegistry | undefined): TaskInput[] {
  const epsilon = [...DEFAULT_TASK_EPSILONS];
  const tasks: TaskInput[] = [
    { scope: 'default', mechanism: 'privunit', epsilon },
    { scope: 'gaussian', mechanism: 'gaussian', epsilon, delta: 1e-6 },
    { scope: 'laplace', mechanism: 'laplace', epsilon },
  ];
  if (codebooks?.has(DEFAULT_TASK_CODEBOOK))
    tasks.push(
      { scope: 'krr', mechanism: 'krr', epsilon, codebook: DEFAULT_TASK_CODEBOOK },
      { scope: 'oue', mechanism: 'oue', epsilon, codebook: DEFAULT_TASK_CODEBOOK },
    );
  return tasks;
}

/** The name `source` stands for in error messages when the tasks were not read from a file. */
export const DEFAULT_TASKS_SOURCE = 'the default tasks';

/**
 * Parses a tasks file's text; InvalidTaskError naming the file (and the task and field) when it is
 * not JSON or not a list of valid tasks.
 */
export function parseTasksJson(text: string, file: string): Task[] {
  return parseTasks(tasksJson(text, file), file);
}

/** Reads and parses a tasks file; InvalidTaskError naming the file when it cannot be read or is not valid. */
export async function loadTasksFile(file: string): Promise<Task[]> {
  return parseTasks(await readTasksValue(file), file);
}

/**
 * Throws InvalidTaskError (naming source, task and field) for a category task whose codebook this
 * collector does not know, or whose model is not the one the codebook reads, or whose k is not its
 * label count. A collector without codebooks (given in code only: the command lines always load a
 * folder) takes a category task that states its k, which then pins the reports' k instead.
 */
export function checkTasksAgainstCodebooks(
  tasks: readonly Task[],
  codebooks: CodebookRegistry | undefined,
  source: string,
): void {
  tasks.forEach((task, index) => {
    if (task.codebook === undefined) return;
    const where = `${source}: task ${index} (${JSON.stringify(task.scope)})`;
    if (codebooks === undefined) {
      if (task.k !== undefined) return;
      throw new ObscuraError(
        'InvalidTaskError',
        `${where}: k: a collector without codebooks needs the task's k (the codebook's label count)`,
        { source, where, field: 'k' },
      );
    }
    const known = codebooks.get(task.codebook);
    if (!known)
      throw new ObscuraError(
        'InvalidTaskError',
        `${where}: codebook: "${task.codebook}" is not a codebook this collector knows; known: ` +
          ([...codebooks.keys()].join(', ') || 'none'),
        { source, where, field: 'codebook' },
      );
    const m = task.model;
    if (m.id !== known.model.id || m.layer !== known.model.layer || m.dims !== known.model.dims)
      throw new ObscuraError(
        'InvalidTaskError',
        `${where}: model: codebook "${known.id}" reads ${known.model.id}/${known.model.layer}/${known.model.dims}, ` +
          `the task states ${m.id}/${m.layer}/${m.dims}`,
        { source, where, field: 'model' },
      );
    if (task.k !== undefined && task.k !== known.labels.length)
      throw new ObscuraError(
        'InvalidTaskError',
        `${where}: k: codebook "${known.id}" has ${known.labels.length} labels, the task states ${task.k}`,
        { source, where, field: 'k' },
      );
  });
}

/**
 * The collector's tasks: a tasks file (path), tasks given in code, or (undefined) the app's
 * defaults; parsed and checked against the codebooks. InvalidTaskError otherwise. Training tasks
 * (kind `train`) come apart in `train`; no scope is declared twice across both.
 */
export async function resolveTasks(
  given: string | readonly (TaskDeclaration | TrainTaskInput)[] | undefined,
  codebooks: CodebookRegistry | undefined,
): Promise<{ readonly tasks: Task[]; readonly train: TrainTask[]; readonly source: string }> {
  const source = typeof given === 'string' ? given : given === undefined ? DEFAULT_TASKS_SOURCE : 'the tasks given';
  const value: unknown = typeof given === 'string' ? await readTasksValue(given) : given;
  const tasks = parseTasks(value ?? defaultTaskDeclarations(codebooks), source);
  const train = parseTrainTasks(value, source);
  checkTasksAgainstCodebooks(tasks, codebooks, source);
  checkTrainTasks(train, tasks, codebooks, source);
  return { tasks, train, source };
}

async function readTasksValue(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ObscuraError('InvalidTaskError', `${file}: cannot be read: ${(err as Error).message}`, {
      source: file,
      field: 'tasks',
    });
  }
  return tasksJson(text, file);
}

/** A tasks file's text as JSON; InvalidTaskError naming the file when it is not JSON. */
function tasksJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ObscuraError('InvalidTaskError', `${file}: not JSON: ${(err as Error).message}`, {
      source: file,
      field: 'tasks',
    });
  }
}

/**
 * A training task's scope is its own (no release task's), and a head it starts from is a codebook
 * this collector knows, of the task's model and labels; InvalidTaskError naming the field otherwise.
 */
function checkTrainTasks(
  train: readonly TrainTask[],
  tasks: readonly Task[],
  codebooks: CodebookRegistry | undefined,
  source: string,
): void {
  for (const t of train) {
    const where = `task ${JSON.stringify(t.scope)}`;
    const fail = (field: string, message: string) =>
      new ObscuraError('InvalidTaskError', `${source}: ${where}: ${field}: ${message}`, { source, where, field });
    if (tasks.some((r) => r.scope === t.scope)) throw fail('scope', 'a release task declares the same scope');
    if (t.init === 'zero') continue;
    const known = codebooks?.get(t.init.codebook);
    if (!known) throw fail('init', `"${t.init.codebook}" is not a codebook this collector knows`);
    const m = known.model;
    if (m.id !== t.model.id || m.layer !== t.model.layer || m.dims !== t.model.dims)
      throw fail('init', `codebook "${known.id}" reads ${m.id}/${m.layer}/${m.dims}, not the task's model`);
    if (known.labels.join('\n') !== t.labels.join('\n'))
      throw fail('init', `codebook "${known.id}" has other labels than the task (same ones, in the same order)`);
  }
}

/** One line for the start log: which scopes the collector takes reports of. */
export function describeTasks(tasks: readonly Task[], source: string, train: readonly TrainTask[] = []): string {
  const list = tasks.map((t) => `${t.scope} (${t.mechanism}${t.aggregateOnly ? ', aggregate-only' : ''})`);
  list.push(...train.map((t) => `${t.scope} (train, ${t.rounds} rounds of n_min ${t.nMin})`));
  return `tasks from ${source}: ${list.join(', ') || 'none: every report is refused'}`;
}
