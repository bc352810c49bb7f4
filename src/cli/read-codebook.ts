import { readFile } from 'node:fs/promises';
import { ObscuraError } from '../errors';
import type { Codebook } from '../codebook/codebook-schema';
import { parseCodebookJson } from '../codebook/load-codebook';

/** Reads and checks a codebook file; any failure is an InvalidCodebookError naming the file. */
export async function readCodebookFile(path: string): Promise<Codebook> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ObscuraError('InvalidCodebookError', `cannot read codebook ${path}: ${code}`);
  }
  try {
    return await parseCodebookJson(text);
  } catch (err) {
    throw new ObscuraError('InvalidCodebookError', `${path}: ${(err as Error).message}`);
  }
}
