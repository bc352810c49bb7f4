/** Reading a Keras functional model's JSON topology (model.json's modelTopology), as tfjs-layers reads it. */

export type Config = Record<string, unknown>;
/** A layer of a Keras functional model, as its JSON topology writes it. */
export interface KerasLayer {
  readonly name: string;
  readonly class_name: string;
  readonly config: Config;
  /** The layers whose outputs it reads, in order (from its one inbound node). */
  readonly sources: readonly string[];
}

/**
 * The layers `outputLayer` depends on, in the topology's order, each with the layers it reads; undefined unless
 * the topology is a Keras functional model in which each of them is called once, on the first output of others.
 */
export function layersTo(topology: unknown, outputLayer: string): KerasLayer[] | undefined {
  const modelConfig = (topology as { model_config?: unknown } | undefined)?.model_config ?? topology;
  const layers = (modelConfig as { config?: { layers?: unknown } } | undefined)?.config?.layers;
  if (!Array.isArray(layers)) return undefined;
  const byName = new Map<string, KerasLayer>();
  for (const raw of layers as { name?: unknown; class_name?: unknown; config?: unknown; inbound_nodes?: unknown }[]) {
    if (typeof raw.name !== 'string' || typeof raw.class_name !== 'string' || typeof raw.config !== 'object')
      return undefined;
    const nodes = raw.inbound_nodes;
    if (!Array.isArray(nodes) || nodes.length > 1) return undefined;
    const sources: string[] = [];
    for (const inbound of (nodes[0] ?? []) as unknown[]) {
      if (!Array.isArray(inbound) || typeof inbound[0] !== 'string' || inbound[1] !== 0 || inbound[2] !== 0)
        return undefined;
      sources.push(inbound[0]);
    }
    byName.set(raw.name, { name: raw.name, class_name: raw.class_name, config: raw.config as Config, sources });
  }
  if (!byName.has(outputLayer)) return undefined;
  const kept = new Set<string>();
  const pending = [outputLayer];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (kept.has(name)) continue;
    const layer = byName.get(name);
    if (!layer) return undefined;
    kept.add(name);
    pending.push(...layer.sources);
  }
  return [...byName.values()].filter((l) => kept.has(l.name));
}
