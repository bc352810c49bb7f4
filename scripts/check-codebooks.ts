/**
 * Checks the committed codebooks at install and build time instead of rebuilding them: each
 * data/codebooks/*.provenance.json names a codebook file, the hash it must have and the model
 * weights it was fitted to. A missing, changed or invalid codebook stops the install with what to
 * do; weights other than the ones it was fitted to are a warning (labels would be assigned on
 * other features). Rebuilding (`npm run build:codebook`) needs Debian's dataset-fashion-mnist.
 *
 *   node --import tsx scripts/check-codebooks.ts
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCodebookJson } from '../src/codebook/load-codebook';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PROVENANCE_DIR = join(PROJECT, 'data', 'codebooks');

/** What a provenance file states (the fields the check reads; the rest is for people). */
export interface CodebookProvenance {
  readonly file: string;
  readonly id: string;
  readonly hash: string;
  readonly model: {
    readonly id: string;
    readonly layer: string;
    readonly dims: number;
    readonly weightsFile: string;
    readonly weightsSha256: string;
  };
  readonly rebuild: string;
}

export interface CheckResult {
  /** Problems that make the codebook unusable: the install fails. */
  readonly errors: string[];
  /** Problems that make it unreliable: said, not fatal. */
  readonly warnings: string[];
  /** What was checked, one line a codebook. */
  readonly checked: string[];
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Checks one codebook against its provenance, with paths relative to `root`. */
export async function checkCodebook(root: string, p: CodebookProvenance, result: CheckResult): Promise<void> {
  const rebuild = `"${p.rebuild}" rebuilds it (needs Debian's dataset-fashion-mnist)`;
  const file = join(root, p.file);
  if (!existsSync(file)) {
    result.errors.push(`${p.file} is missing: it is committed (git checkout -- ${p.file}), or ${rebuild}`);
    return;
  }
  let codebook;
  try {
    codebook = await parseCodebookJson(readFileSync(file, 'utf8'));
  } catch (err) {
    result.errors.push(`${p.file}: ${(err as Error).message}; git checkout -- ${p.file} restores it, or ${rebuild}`);
    return;
  }
  if (codebook.id !== p.id || codebook.hash !== p.hash) {
    result.errors.push(
      `${p.file} is "${codebook.id}" ${codebook.hash}, its provenance states "${p.id}" ${p.hash}: ` +
        `a rebuilt codebook goes with its new hash in the provenance file, a changed one with a new id`,
    );
    return;
  }
  const { id, layer, dims } = codebook.model;
  if (id !== p.model.id || layer !== p.model.layer || dims !== p.model.dims)
    result.errors.push(`${p.file} is for ${id}/${layer}/${dims}, its provenance states another model`);
  const weights = join(root, p.model.weightsFile);
  if (!existsSync(weights)) result.errors.push(`${p.model.weightsFile} is missing: the model conversion did not run`);
  else if (sha256(weights) !== p.model.weightsSha256)
    result.warnings.push(
      `${p.file} was fitted to other weights than ${p.model.weightsFile} (sha256 ${p.model.weightsSha256}): ` +
        `its labels may be wrong on these features; ${rebuild}`,
    );
  result.checked.push(`${p.file} (${p.id}, ${codebook.labels.length} labels, ${id}/${layer}, ${p.hash.slice(0, 19)}…)`);
}

async function main(): Promise<void> {
  const result: CheckResult = { errors: [], warnings: [], checked: [] };
  const names = readdirSync(PROVENANCE_DIR).filter((n) => n.endsWith('.provenance.json'));
  if (names.length === 0) result.errors.push(`no *.provenance.json in ${PROVENANCE_DIR}`);
  for (const name of names) {
    const provenance = JSON.parse(readFileSync(join(PROVENANCE_DIR, name), 'utf8')) as CodebookProvenance;
    await checkCodebook(PROJECT, provenance, result);
  }
  for (const line of result.checked) console.error(`codebook: checked ${line}`);
  for (const line of result.warnings) console.error(`codebook: WARNING: ${line}`);
  for (const line of result.errors) console.error(`codebook: FAILED: ${line}`);
  if (result.errors.length > 0) process.exit(1);
}

// Run as a script (argv[1] may be a symlink to this file), not imported by a test.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  main().catch((err: unknown) => {
    console.error(`codebook: FAILED: ${(err as Error).message}`);
    process.exit(1);
  });
