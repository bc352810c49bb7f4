/**
 * The controls offer what the collector declares: for the active scope, its task's mechanism
 * and allowed ε values; a scope without a task offers nothing to release. Pure helpers; the
 * release worker checks the same again before it charges anything.
 */
import type { DeclaredTasks, Task, VectorMechanismParams } from '../release/index';
import type { CategoryChoice, PrivacySettings } from './components/privacy-controls';

/** The codebook URL the app holds for a task's codebook id, or undefined when it has none. */
export type CodebookUrls = Readonly<Record<string, string>>;

export function taskOf(tasks: DeclaredTasks | undefined, scope: string): Task | undefined {
  return tasks?.tasks.find((t) => t.scope === scope);
}

/**
 * Settings the task accepts, kept as close to `current` as it allows: its mechanism, the current
 * ε when allowed (else the first allowed), its δ, clip and vector length. Undefined when the app
 * cannot meet the task (a codebook it does not hold).
 */
export function settingsForTask(
  task: Task,
  current: PrivacySettings,
  codebooks: CodebookUrls,
): PrivacySettings | undefined {
  const epsilon = task.epsilon.includes(current.mechanism.epsilon) ? current.mechanism.epsilon : task.epsilon[0]!;
  const common = { autoRelease: current.autoRelease };
  if (task.mechanism === 'krr' || task.mechanism === 'oue') {
    const url = task.codebook === undefined ? undefined : codebooks[task.codebook];
    if (url === undefined) return undefined;
    const category: CategoryChoice = { name: task.mechanism, codebook: url };
    return { ...common, mechanism: { ...current.mechanism, epsilon }, category, dims: undefined };
  }
  const clip = task.clip !== undefined && task.clip !== 1 ? { clip: task.clip } : {};
  const mechanism: VectorMechanismParams =
    task.mechanism === 'gaussian'
      ? { name: 'gaussian', epsilon, delta: task.delta, ...clip }
      : task.mechanism === 'laplace'
        ? { name: 'laplace', epsilon, ...clip }
        : { name: 'privunit', epsilon };
  const dims = task.dims === undefined || task.dims === task.model.dims ? undefined : task.dims;
  return { ...common, mechanism, dims };
}

/** Why the settings cannot be released into `scope` as the collector declared it, in plain words; or undefined. */
export function taskProblem(
  tasks: DeclaredTasks | undefined,
  scope: string,
  settings: PrivacySettings,
  codebooks: CodebookUrls,
): string | undefined {
  if (!tasks) return undefined;
  const task = taskOf(tasks, scope);
  if (!task)
    return `The collector does not take reports for scope “${scope}”: it declares ${
      tasks.tasks.map((t) => `“${t.scope}”`).join(', ') || 'none'
    }.`;
  const fitted = settingsForTask(task, settings, codebooks);
  if (!fitted)
    return `The collector’s task for “${scope}” needs the codebook “${task.codebook}”, which this app lacks.`;
  if (!sameSettings(fitted, settings))
    return `The collector takes ${describeTask(task)} for “${scope}”; the controls are set otherwise.`;
  return undefined;
}

/** "privunit at ε 1 or 2", "gaussian (δ 1e-7) at ε 1" … */
export function describeTask(task: Task): string {
  const delta = task.mechanism === 'gaussian' ? ` (δ ${task.delta})` : '';
  const dims = task.dims !== undefined && task.dims !== task.model.dims ? `, ${task.dims} dimensions` : '';
  const codebook = task.codebook !== undefined ? ` over “${task.codebook}”` : '';
  return `${task.mechanism}${delta}${codebook} at ε ${task.epsilon.join(' or ')}${dims}`;
}

/** Whether two settings release alike (what the task constrains; not auto-release). */
function sameSettings(a: PrivacySettings, b: PrivacySettings): boolean {
  const key = (s: PrivacySettings) => {
    const m = s.mechanism as { name: string; epsilon: number; delta?: number; clip?: number };
    if (s.category) return [s.category.name, s.category.codebook, m.epsilon];
    return [m.name, m.epsilon, m.delta ?? 0, m.clip ?? 1, s.dims ?? null];
  };
  return JSON.stringify(key(a)) === JSON.stringify(key(b));
}
