/**
 * Declared tasks: what a collector takes, as DAP declares it. A task names one scope and
 * exactly the release it accepts there (mechanism, the allowed ε values, δ, clip, model,
 * vector length or codebook). A report that is not one of those is refused, by the collector
 * when it arrives and by the device before it charges anything, so the parameter groups a
 * collector keeps are bounded by what it declared, not by what senders make up.
 *
 * The same schema reads a tasks file (short forms: one ε, "id/layer") and the normalised
 * tasks a collector serves, so a device parses `GET /tasks` with it too. A tasks file may
 * name a widget host's scope in readable form, `"widget": {"origin", "scope"}`, which is read as
 * the escaped scope that widget reports to; what is served always has the scope.
 */
import { z } from 'zod';
import { ObscuraError } from '../errors';
import type { ModelRef } from '../model-ref';
import {
  APPROX_DELTA_MAX,
  CATEGORIES_MAX,
  DELTA_MIN,
  DELTA_TARGET,
  DIMS_MAX,
  EPSILON_MAX,
  EPSILON_MIN,
} from '../privacy/limits';
import { DEFAULT_PROJECTION_SEED, projectionId } from '../privacy/vector/projection';
import type { Report } from './schema';
import { hostOriginOf, hostScopeName } from './host-scope-name';

export const TASK_MECHANISMS = ['privunit', 'gaussian', 'laplace', 'krr', 'oue'] as const;
export type TaskMechanism = (typeof TASK_MECHANISMS)[number];
const VECTOR_TASK_MECHANISMS: readonly TaskMechanism[] = ['privunit', 'gaussian', 'laplace'];

/** The most ε values one task may allow: each is a parameter group of its own. */
export const TASK_EPSILONS_MAX = 8;
/** The most tasks one collector declares (each scope's groups are bounded by its task). */
export const TASKS_MAX = 256;
/** The clip norm of a Gaussian or Laplace task that states none (the device's default). */
export const DEFAULT_TASK_CLIP = 1;

/** The model a task without `model` reads: the default model at its default layer. */
export const DEFAULT_TASK_MODEL: ModelRef = Object.freeze({ id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 });

/**
 * Layer sizes this module knows without loading a model: the default model's measured layers
 * (docs/feature-layers.md). Any other model or layer is declared as `{"id", "layer", "dims"}`,
 * since a task must pin the size its reports state.
 */
const KNOWN_MODELS: Readonly<
  Record<string, { readonly defaultLayer: string; readonly layers: Record<string, number> }>
> = {
  mobilenet_v2: {
    defaultLayer: 'block_12_add',
    layers: {
      block_2_add: 24,
      block_5_add: 32,
      block_9_add: 64,
      block_10_expand_relu: 384,
      block_10_project_BN: 96,
      block_12_add: 96,
      block_13_expand_relu: 576,
      block_15_add: 160,
      block_16_project_BN: 320,
      out_relu: 1280,
    },
  },
};

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
const layer = z.string().regex(/^[A-Za-z0-9_./-]{1,128}$/, '1 to 128 letters, digits or _ . / -');
const epsilonValue = z
  .number()
  .refine(Number.isFinite, 'must be a finite number')
  .refine((e) => e >= EPSILON_MIN, { message: `is below the floor ${EPSILON_MIN}` })
  .refine((e) => e <= EPSILON_MAX, { message: `is above the ceiling ${EPSILON_MAX}` });
const dims = z.number().int().positive().max(DIMS_MAX);

/** One task as written in a tasks file (or served, normalised, by a collector). */
export const taskSchema = z.strictObject({
  scope: id,
  mechanism: z.enum(TASK_MECHANISMS),
  epsilon: z.union([
    epsilonValue,
    z
      .array(epsilonValue)
      .min(1)
      .max(TASK_EPSILONS_MAX)
      .refine((list) => new Set(list).size === list.length, 'values must be distinct'),
  ]),
  delta: z.number().optional(),
  dims: dims.optional(),
  model: z
    .union([
      z.string().regex(/^[A-Za-z0-9._:-]{1,128}(\/[A-Za-z0-9_./-]{1,128})?$/, '"id" or "id/layer"'),
      z.strictObject({ id, layer, dims }),
    ])
    .optional(),
  codebook: id.optional(),
  /** k-RR / OUE: the codebook's label count, for a collector that has no codebook file to read it from. */
  k: z.number().int().min(2).max(CATEGORIES_MAX).optional(),
  aggregateOnly: z.boolean().optional(),
  clip: z
    .number()
    .refine((c) => Number.isFinite(c) && c > 0, 'must be a finite number > 0')
    .optional(),
});

export type TaskInput = z.infer<typeof taskSchema>;

/** A widget host in a tasks file: the page's origin and the widget's `scope` attribute (default `default`). */
const widgetSchema = z.strictObject({ origin: z.string().max(256), scope: z.string().optional() });

/** A task, normalised: ε always a list, δ a number (0 but for Gaussian), model, dims and clip filled in. */
export interface Task {
  readonly scope: string;
  readonly mechanism: TaskMechanism;
  /** The ε values a report may state, as declared (distinct). */
  readonly epsilon: readonly number[];
  /** The Gaussian's δ; 0 for every other mechanism. */
  readonly delta: number;
  /** The model and layer the features come from, with the layer's size. */
  readonly model: ModelRef;
  /** Vector mechanisms: the released vector's length (the model's, or a projection to fewer). */
  readonly dims?: number;
  /** k-RR / OUE: the codebook whose labels are released. */
  readonly codebook?: string;
  /** k-RR / OUE: the codebook's label count, when declared (else the collector reads it from the codebook). */
  readonly k?: number;
  /** Releases go as Prio3 shares to aggregators, never as reports to a collector. */
  readonly aggregateOnly?: boolean;
  /** Gaussian / Laplace: the clip norm. */
  readonly clip?: number;
}

/** What a release (or a received report) states, compared with its scope's task. */
export interface TaskRelease {
  readonly scope: string;
  readonly mechanism: {
    readonly name: string;
    readonly epsilon: number;
    readonly delta: number;
    readonly clip?: number;
  };
  readonly model: ModelRef;
  readonly projection: { readonly id: string; readonly dims: number } | null;
  /** Vector releases: the vector's length. */
  readonly dims?: number;
  /** Category releases: the codebook and its size. */
  readonly category?: { readonly codebook: string; readonly k: number };
  readonly aggregateOnly: boolean;
}

function invalidTask(source: string, where: string, field: string, message: string): ObscuraError {
  return new ObscuraError('InvalidTaskError', `${source}: ${where}: ${field}: ${message}`, { source, where, field });
}

function whereOf(index: number, value: unknown): string {
  const scope = typeof value === 'object' && value !== null ? (value as { scope?: unknown }).scope : undefined;
  return typeof scope === 'string' ? `task ${index} (${JSON.stringify(scope)})` : `task ${index}`;
}

function modelOf(input: TaskInput['model'], fail: (field: string, message: string) => never): ModelRef {
  if (input === undefined) return DEFAULT_TASK_MODEL;
  if (typeof input === 'object') {
    const known = KNOWN_MODELS[input.id]?.layers[input.layer];
    if (known !== undefined && known !== input.dims)
      fail('model', `${input.id}/${input.layer} has ${known} dims, not ${input.dims}`);
    return { id: input.id, layer: input.layer, dims: input.dims };
  }
  const slash = input.indexOf('/');
  const modelId = slash < 0 ? input : input.slice(0, slash);
  const known = KNOWN_MODELS[modelId];
  const layerName = slash < 0 ? known?.defaultLayer : input.slice(slash + 1);
  const layerDims = layerName === undefined ? undefined : known?.layers[layerName];
  if (layerName === undefined || layerDims === undefined)
    fail('model', `the size of "${input}" is not known here; declare it as {"id", "layer", "dims"}`);
  return { id: modelId, layer: layerName, dims: layerDims };
}

function normalise(input: TaskInput, fail: (field: string, message: string) => never): Task {
  const vector = VECTOR_TASK_MECHANISMS.includes(input.mechanism);
  const epsilon = typeof input.epsilon === 'number' ? [input.epsilon] : [...input.epsilon];
  let delta = 0;
  if (input.mechanism === 'gaussian') {
    if (input.delta === undefined) fail('delta', 'a gaussian task needs one');
    if (!(input.delta >= DELTA_MIN && input.delta <= DELTA_TARGET))
      fail('delta', `${input.delta} is outside [${DELTA_MIN}, ${DELTA_TARGET}]`);
    delta = input.delta;
  } else if (input.delta !== undefined && input.delta !== 0) {
    fail('delta', `a ${input.mechanism} task has δ = 0, got ${input.delta}`);
  }
  const model = modelOf(input.model, fail);
  const task: { -readonly [K in keyof Task]: Task[K] } = {
    scope: input.scope,
    mechanism: input.mechanism,
    epsilon,
    delta,
    model,
  };
  if (vector) {
    if (input.codebook !== undefined)
      fail('codebook', `a ${input.mechanism} task releases a vector, not a codebook label`);
    if (input.k !== undefined) fail('k', `a ${input.mechanism} task releases a vector, not a codebook label`);
    const length = input.dims ?? model.dims;
    if (length > model.dims) fail('dims', `${length} is above the model's ${model.dims}`);
    task.dims = length;
  } else {
    if (input.codebook === undefined) fail('codebook', `a ${input.mechanism} task needs the codebook it releases`);
    if (input.dims !== undefined) fail('dims', `a ${input.mechanism} task releases a codebook label, not a vector`);
    task.codebook = input.codebook;
    if (input.k !== undefined) task.k = input.k;
  }
  if (input.mechanism === 'gaussian' || input.mechanism === 'laplace') task.clip = input.clip ?? DEFAULT_TASK_CLIP;
  else if (input.clip !== undefined) fail('clip', `a ${input.mechanism} task has no clip norm`);
  if (input.aggregateOnly !== undefined) {
    if (input.aggregateOnly) {
      // The aggregate-only release is an (ε, δ) vector release whose δ is charged against APPROX_DELTA_CAP.
      if (input.mechanism !== 'gaussian')
        fail('aggregateOnly', `an aggregate-only task is gaussian, not ${input.mechanism}`);
      if (delta > APPROX_DELTA_MAX) fail('delta', `${delta} is above the aggregate-only ceiling ${APPROX_DELTA_MAX}`);
    }
    task.aggregateOnly = input.aggregateOnly;
  }
  return task;
}

/**
 * A task written for a widget host in readable form, `{"widget": {"origin", "scope"?}, …}` in place
 * of `"scope"`, as the task of the scope that widget reports to (hostScopeName: the name the frame
 * and `obscura widget-scope` give). Any other value is returned as it is.
 */
function widgetForm(value: unknown, source: string, index: number): unknown {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, 'widget')) return value;
  const { widget, ...rest } = value as Record<string, unknown>;
  const fail = (field: string, message: string) => invalidTask(source, `task ${index}`, field, message);
  if (Object.hasOwn(rest, 'scope')) throw fail('widget', 'a task names its scope or its widget, not both');
  const parsed = widgetSchema.safeParse(widget);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.code === 'unrecognized_keys' ? String(issue.keys[0]) : String(issue?.path[0] ?? '');
    throw fail(field ? `widget.${field}` : 'widget', issue?.message ?? 'invalid');
  }
  const origin = hostOriginOf(parsed.data.origin);
  if (origin === undefined)
    throw fail('widget.origin', `${JSON.stringify(parsed.data.origin)} is not an origin such as https://shop.example`);
  try {
    return { scope: hostScopeName(origin, parsed.data.scope), ...rest };
  } catch (err) {
    throw fail(parsed.data.scope === undefined ? 'widget.origin' : 'widget.scope', (err as Error).message);
  }
}

/** One task (normalised), or an InvalidTaskError naming the source, the task and the field. */
export function parseTask(input: unknown, source: string, index = 0): Task {
  const value = widgetForm(input, source, index);
  const where = whereOf(index, value);
  const result = taskSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue && issue.path.length > 0 ? String(issue.path[0]) : 'task';
    const got = issue && issue.path.length > 0 ? pick(value, issue.path) : undefined;
    const message =
      issue?.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
        : `${got === undefined ? '' : `${JSON.stringify(got)} `}${issue?.message ?? 'invalid'}`;
    throw invalidTask(source, where, issue?.code === 'unrecognized_keys' ? String(issue.keys[0]) : field, message);
  }
  return normalise(result.data, (field, message) => {
    throw invalidTask(source, where, field, message);
  });
}

function pick(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * The release tasks of a tasks file or document (a JSON array), normalised; InvalidTaskError naming
 * `source`, the task (index and scope) and the field otherwise. Two tasks of one scope are refused.
 * Training tasks (kind `train`) in the same array are skipped here: parseTrainTasks reads them.
 */
export function parseTasks(value: unknown, source: string): Task[] {
  if (!Array.isArray(value))
    throw new ObscuraError('InvalidTaskError', `${source}: expected a JSON array of tasks`, { source, field: 'tasks' });
  if (value.length > TASKS_MAX)
    throw new ObscuraError('InvalidTaskError', `${source}: at most ${TASKS_MAX} tasks, got ${value.length}`, {
      source,
      field: 'tasks',
    });
  const tasks: Task[] = [];
  const seen = new Map<string, number>();
  value.forEach((item, index) => {
    // Training tasks are read by their own schema (src/codebook/train-task.ts), beside these.
    if (isTrainKind(item)) return;
    const task = parseTask(item, source, index);
    const first = seen.get(task.scope);
    if (first !== undefined)
      throw invalidTask(source, whereOf(index, item), 'scope', `task ${first} declares the same scope`);
    seen.set(task.scope, index);
    tasks.push(task);
  });
  return tasks;
}

/** A declaration of kind `train`: a training task, which the release tasks' parser leaves to its own. */
export function isTrainKind(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'train';
}

/** JSON with object keys sorted, so equal tasks always serialise alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** "sha256:<hex>" of the tasks' canonical JSON (in scope order): the version a device caches and compares. */
export async function tasksVersion(tasks: readonly Task[]): Promise<string> {
  const sorted = [...tasks].sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
  const bytes = new TextEncoder().encode(canonicalJson(sorted));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The one projection a device uses for the task's model and vector length (privatize-features.ts), or null. */
export function taskProjection(task: Task): { readonly id: string; readonly dims: number } | null {
  if (task.dims === undefined || task.dims === task.model.dims) return null;
  return { id: projectionId(DEFAULT_PROJECTION_SEED, task.model.dims, task.dims), dims: task.dims };
}

const show = (v: unknown): string => (v === undefined ? 'none' : JSON.stringify(v));

/**
 * The first way `release` differs from `task`, as "field: expected …, got …", or null when it
 * is one the task allows. Every field that forms a collector's parameter group is compared.
 */
export function taskMismatch(task: Task, release: TaskRelease): string | null {
  const differ = (field: string, expected: unknown, got: unknown) =>
    `${field}: expected ${show(expected)}, got ${show(got)}`;
  if (release.scope !== task.scope) return differ('scope', task.scope, release.scope);
  if ((task.aggregateOnly ?? false) !== release.aggregateOnly)
    return differ('aggregateOnly', task.aggregateOnly ?? false, release.aggregateOnly);
  const m = release.mechanism;
  if (m.name !== task.mechanism) return differ('mechanism', task.mechanism, m.name);
  if (!task.epsilon.includes(m.epsilon)) {
    const allowed = task.epsilon.length === 1 ? task.epsilon[0] : task.epsilon;
    return `epsilon: expected ${task.epsilon.length === 1 ? '' : 'one of '}${show(allowed)}, got ${show(m.epsilon)}`;
  }
  if (m.delta !== task.delta) return differ('delta', task.delta, m.delta);
  if (m.clip !== task.clip) return differ('clip', task.clip, m.clip);
  for (const key of ['id', 'layer', 'dims'] as const)
    if (release.model[key] !== task.model[key]) return differ(`model.${key}`, task.model[key], release.model[key]);
  if (task.codebook !== undefined) {
    if (release.category === undefined) return differ('codebook', task.codebook, undefined);
    if (release.category.codebook !== task.codebook)
      return differ('codebook', task.codebook, release.category.codebook);
    if (task.k !== undefined && release.category.k !== task.k) return differ('k', task.k, release.category.k);
    if (release.projection !== null) return differ('projection', null, release.projection.id);
    return null;
  }
  if (release.category !== undefined) return differ('codebook', undefined, release.category.codebook);
  if (release.dims !== task.dims) return differ('dims', task.dims, release.dims);
  const projection = taskProjection(task);
  if ((release.projection?.id ?? null) !== (projection?.id ?? null) || release.projection?.dims !== projection?.dims)
    return differ('projection', projection?.id ?? null, release.projection?.id ?? null);
  return null;
}

/** What a received report states, for `taskMismatch` (a report is never an aggregate-only release). */
export function taskReleaseOfReport(report: Report): TaskRelease {
  const m = report.mechanism;
  return {
    scope: report.scope,
    mechanism: {
      name: m.name,
      epsilon: m.epsilon,
      delta: m.delta,
      ...('clip' in m ? { clip: m.clip } : {}),
    },
    model: report.model,
    projection: report.projection,
    ...('vector' in report
      ? { dims: report.vector.length }
      : { category: { codebook: report.category.codebook, k: report.category.k } }),
    aggregateOnly: false,
  };
}

/** The task of `scope`, or an UndeclaredScopeError naming the scopes declared. */
export function taskFor(tasks: readonly Task[], scope: string): Task {
  const task = tasks.find((t) => t.scope === scope);
  if (!task)
    throw new ObscuraError(
      'UndeclaredScopeError',
      `scope ${JSON.stringify(scope)} is not declared; declared: ${tasks.map((t) => t.scope).join(', ') || 'none'}`,
      { scope },
    );
  return task;
}

/**
 * Throws UndeclaredScopeError when no task declares the release's scope, and TaskMismatchError
 * naming the first field that differs from its task; returns the task otherwise.
 */
export function requireTaskMatch(tasks: readonly Task[], release: TaskRelease): Task {
  const task = taskFor(tasks, release.scope);
  const mismatch = taskMismatch(task, release);
  if (mismatch !== null)
    throw new ObscuraError('TaskMismatchError', `scope ${JSON.stringify(release.scope)}: ${mismatch}`, {
      scope: release.scope,
      field: mismatch.slice(0, mismatch.indexOf(':')),
    });
  return task;
}
