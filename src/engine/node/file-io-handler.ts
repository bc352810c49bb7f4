import type * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ObscuraError } from '../../errors';

/** tfjs IOHandler reading a model.json and its weight shards from disk (tfjs only fetches URLs outside tfjs-node). */
export function fileIOHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      let json: {
        modelTopology?: object;
        format?: string;
        generatedBy?: string;
        convertedBy?: string;
        weightsManifest?: tf.io.WeightsManifestConfig;
      };
      try {
        json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
      } catch (err) {
        throw new ObscuraError('ModelLoadError', `cannot read model file ${modelJsonPath}: ${(err as Error).message}`);
      }
      const manifest = json.weightsManifest ?? [];
      const weightSpecs = manifest.flatMap((group) => group.weights);
      const buffers: Buffer[] = [];
      for (const group of manifest) {
        for (const path of group.paths) buffers.push(await readFile(join(dirname(modelJsonPath), path)));
      }
      const all = Buffer.concat(buffers);
      const artifacts: tf.io.ModelArtifacts = {
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
      if (json.modelTopology) artifacts.modelTopology = json.modelTopology;
      if (json.format) artifacts.format = json.format;
      if (json.generatedBy) artifacts.generatedBy = json.generatedBy;
      if (json.convertedBy) artifacts.convertedBy = json.convertedBy;
      return artifacts;
    },
  };
}
