// The head trained at one ε written as a codebook the app reads (codebook-schema.ts, sealed with its hash),
// and, for the real features, its provenance beside the demo codebook's (data/codebooks/).
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { FASHION_MNIST_CLASSES } from '../../eval/fashion-classes';
import { headToClassifier, type LinearHead } from '../../src/codebook/linear-head';
import { formatCodebook, sealCodebook } from '../../src/codebook/load-codebook';
import type { FederatedData } from './data';
import type { FederatedConfig } from './simulate';

const ROOT = join(import.meta.dirname, '..', '..');

export async function writeFederatedCodebook(
  head: LinearHead,
  data: FederatedData,
  dir: string,
  run: { readonly epsilon: number; readonly config: FederatedConfig; readonly accuracy: number },
  /** Where the provenance goes (data/codebooks for the committed one); none when undefined. */
  provenanceDir?: string,
): Promise<string> {
  const standIn = data.kind === 'stand-in';
  const id = standIn ? 'fashion-10-federated-stand-in' : 'fashion-10-federated';
  const c = run.config;
  const description =
    `Ten Fashion-MNIST classes, a linear head trained by federated learning over ${data.devices.length} simulated ` +
    `devices with user-level (ε = ${run.epsilon}, δ = ${c.delta}) differential privacy (distributed Skellam noise, ` +
    `${c.devicesPerRound} devices a round, at most ${c.maxParticipations} round(s) a device): npm run eval:federated.` +
    (standIn ? " On the pixel stand-in features, not the extractor's: for the evaluation only." : '');
  const codebook = await sealCodebook({
    v: 1,
    id,
    model: { id: data.model.id, layer: data.model.layer, dims: data.model.dims },
    labels: [...FASHION_MNIST_CLASSES],
    input: 'l2-normalized',
    description,
    classifier: headToClassifier(head),
  });
  const path = join(dir, `${id}.json`);
  await writeFile(path, formatCodebook(codebook));
  if (provenanceDir && !standIn) {
    // The same model as the demo codebook: its weights' provenance carries over.
    const demo = JSON.parse(await readFile(join(ROOT, 'data', 'codebooks', 'fashion-10.provenance.json'), 'utf8'));
    const provenance = {
      file: relative(ROOT, path),
      id,
      hash: codebook.hash,
      dataset: {
        name: demo.dataset.name,
        source: demo.dataset.source,
        selection: `all 60 000 training images, dealt to ${data.devices.length} simulated devices (Dirichlet α = 0.5)`,
      },
      model: demo.model,
      classifier:
        `linear: federated training (${c.local.steps} local steps, clip ${c.clip}, ${c.server.kind} at the server) ` +
        `with user-level (ε = ${run.epsilon}, δ = ${c.delta}) DP from distributed Skellam noise`,
      accuracy: `${(100 * run.accuracy).toFixed(1)} % on the 10 000 Fashion-MNIST test images`,
      rebuild: 'npm run eval:federated',
    };
    await writeFile(join(provenanceDir, `${id}.provenance.json`), `${JSON.stringify(provenance, null, 2)}\n`);
  }
  return path;
}
