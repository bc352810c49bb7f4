/**
 * The codebooks a collector knows, read once at start from a folder of codebook files
 * (the same files the devices load; each is schema- and hash-checked). A category report
 * names its codebook by id: a collector that does not know it cannot say what the values
 * mean, and a k that is not the codebook's label count would split one question into
 * groups that do not pool, so both are refused.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCodebookJson } from '../src/codebook/load-codebook';
import { ObscuraError } from '../src/errors';
import type { Report } from '../src/report/schema';

/** What the collector keeps of a codebook. */
export interface KnownCodebook {
  readonly id: string;
  readonly hash: string;
  readonly labels: readonly string[];
  readonly model: { readonly id: string; readonly layer: string; readonly dims: number };
  /** Each label's direction in feature space, unit length: a centroid, or a linear classifier's weight row. */
  readonly directions: readonly (readonly number[])[];
  /** The file it was read from. */
  readonly file: string;
}

/** Codebooks by id. */
export type CodebookRegistry = ReadonlyMap<string, KnownCodebook>;

/** A category report whose codebook id the collector was not given. */
export class UnknownCodebookError extends Error {
  override readonly name = 'UnknownCodebookError';
}

/**
 * Every `*.json` file of `dir`, each a codebook. A file that is not a valid codebook, or two
 * files of one id with different content, stop the start (InvalidCodebookError naming the file):
 * a collector serving half its codebooks would refuse reports it was meant to take.
 */
export async function loadCodebookDir(dir: string): Promise<CodebookRegistry> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const known = new Map<string, KnownCodebook>();
  for (const name of names) {
    const file = join(dir, name);
    let codebook;
    try {
      codebook = await parseCodebookJson(await readFile(file, 'utf8'));
    } catch (err) {
      throw new ObscuraError('InvalidCodebookError', `${file}: ${(err as Error).message}`);
    }
    const seen = known.get(codebook.id);
    if (seen && seen.hash !== codebook.hash)
      throw new ObscuraError(
        'InvalidCodebookError',
        `${file} and ${seen.file} both have id "${codebook.id}" but different content (${codebook.hash}, ${seen.hash})`,
      );
    known.set(codebook.id, {
      id: codebook.id,
      hash: codebook.hash,
      labels: codebook.labels,
      model: codebook.model,
      directions: (codebook.classifier.kind === 'linear'
        ? codebook.classifier.weights
        : codebook.classifier.centroids
      ).map(unit),
      file,
    });
  }
  return known;
}

/** The row scaled to unit length (a zero row stays zero: it points nowhere). */
function unit(row: readonly number[]): number[] {
  const norm = Math.hypot(...row);
  return row.map((x) => (norm > 0 ? x / norm : 0));
}

/**
 * Throws UnknownCodebookError for a category report of an unknown codebook, and
 * InvalidReportError (naming the field) when its k or model is not the codebook's.
 */
export function checkCodebook(report: Report, codebooks: CodebookRegistry): void {
  if (!('category' in report)) return;
  const { codebook: id, k } = report.category;
  const known = codebooks.get(id);
  if (!known)
    throw new UnknownCodebookError(
      `codebook "${id}" is not one this collector knows; known: ` +
        ([...codebooks.values()].map((c) => `${c.id} (${c.hash})`).join(', ') || 'none'),
    );
  const refuse = (path: string, message: string): never => {
    throw new ObscuraError('InvalidReportError', `invalid report: ${path}: ${message}`, {
      issues: [{ path, message }],
    });
  };
  if (k !== known.labels.length)
    refuse('category.k', `codebook "${id}" has ${known.labels.length} labels, the report says k = ${k}`);
  const m = report.model;
  if (m.id !== known.model.id || m.layer !== known.model.layer || m.dims !== known.model.dims)
    refuse(
      'model',
      `codebook "${id}" reads ${known.model.id}/${known.model.layer}/${known.model.dims}, ` +
        `the report states ${m.id}/${m.layer}/${m.dims}`,
    );
}

/** The project's codebook folder (the demo codebook is built into it at install). */
export const DEFAULT_CODEBOOKS_DIR = fileURLToPath(new URL('../public/codebooks', import.meta.url));

/** One line for the start log: which codebooks category reports may name. */
export function describeCodebooks(codebooks: CodebookRegistry, dir: string | undefined): string {
  if (codebooks.size === 0)
    return `no codebooks${dir ? ` in ${dir}` : ''}: category reports are refused (--codebooks DIR)`;
  const list = [...codebooks.values()].map((c) => `${c.id} (k = ${c.labels.length}, ${c.hash.slice(0, 15)}…)`);
  return `codebooks from ${dir}: ${list.join(', ')}`;
}
