import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Bytes a file costs on the wire: as stored, and gzip-compressed (level 9, as a static server would). */
export interface ServedBytes {
  readonly raw: number;
  readonly gzip: number;
}

export async function servedBytes(path: string): Promise<ServedBytes> {
  const body = await readFile(path);
  return { raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
}

/** A tfjs model folder's model.json plus every weight shard it lists. */
export async function modelBytes(modelJsonPath: string): Promise<ServedBytes & { files: number }> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const files = [
    modelJsonPath,
    ...json.weightsManifest.flatMap((g) => g.paths.map((p) => join(dirname(modelJsonPath), p))),
  ];
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const b = await servedBytes(f);
    raw += b.raw;
    gzip += b.gzip;
  }
  return { raw, gzip, files: files.length };
}

export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
