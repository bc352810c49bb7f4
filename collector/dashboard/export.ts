/**
 * CSV (RFC 4180) and NDJSON text of rows, and their download. A number is written as
 * JavaScript prints it, the shortest text that parses back to the same double, which is
 * also how the collector's JSON wrote it: the export carries the API's numbers unchanged.
 */
import type { Cell, Row } from './rows';

function csvCell(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly Row[], columns: readonly string[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** One JSON object a line, with every column (absent cells as null) in the columns' order. */
export function toNdjson(rows: readonly Row[], columns: readonly string[]): string {
  return (
    rows.map((row) => JSON.stringify(Object.fromEntries(columns.map((c) => [c, row[c] ?? null])))).join('\n') + '\n'
  );
}

/** Hands the text to the browser as a file download. */
export function download(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the click; the object URL is no longer needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
