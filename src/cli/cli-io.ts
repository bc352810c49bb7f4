/** The streams a command reads and writes; tests pass in-memory streams. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One JSON value per line. */
export function writeJsonLine(out: NodeJS.WritableStream, value: unknown): void {
  out.write(JSON.stringify(value) + '\n');
}
