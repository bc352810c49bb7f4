/**
 * The widget's attributes against what its endpoint's collector declares: a host whose `scope`,
 * `mechanism`, `epsilon`, `delta`, `dims` or `codebook` no declared task admits is told so in the
 * frame before anyone picks a photo (the release worker refuses such a release anyway, uncharged).
 * Attributes the host leaves out are the person's to choose, and are checked at the release.
 * Both errors carry the scope's full name (details.scope), the one the collector must declare.
 */
import { ObscuraError } from '../../errors';
import type { DeclaredTasks } from '../../release/index';
import type { WidgetConfig } from '../protocol';

/** UndeclaredScopeError or TaskMismatchError naming the attribute, or undefined when the attributes fit. */
export function widgetTaskError(tasks: DeclaredTasks, scope: string, config: WidgetConfig): ObscuraError | undefined {
  const task = tasks.tasks.find((t) => t.scope === scope);
  const endpoint = config.endpoint ?? 'the endpoint';
  // The name is long and escaped, so it is spelled out in full: the collector's team declares exactly it.
  if (!task)
    return new ObscuraError(
      'UndeclaredScopeError',
      `the collector at ${endpoint} declares no task for scope "${scope}" (scope="${config.scope ?? 'default'}"); ` +
        `its tasks file must declare {"scope": "${scope}", …}`,
      { attribute: 'scope', scope },
    );
  const differ = (attribute: string, expected: string, got: unknown) =>
    new ObscuraError(
      'TaskMismatchError',
      `the collector declares scope "${scope}" with ${attribute} ${expected}, ` +
        `but the widget's ${attribute} is ${String(got)}`,
      { attribute, scope },
    );
  if (config.mechanism !== undefined && config.mechanism !== task.mechanism)
    return differ('mechanism', task.mechanism, config.mechanism);
  if (config.epsilon !== undefined && !task.epsilon.includes(config.epsilon))
    return differ('epsilon', task.epsilon.join(' or '), config.epsilon);
  if (config.delta !== undefined && task.mechanism === 'gaussian' && config.delta !== task.delta)
    return differ('delta', String(task.delta), config.delta);
  if (config.dims !== undefined && task.dims !== undefined && config.dims !== task.dims)
    return differ('dims', String(task.dims), config.dims);
  if (config.codebook !== undefined && task.codebook !== undefined && config.codebook !== task.codebook)
    return differ('codebook', task.codebook, config.codebook);
  return undefined;
}
