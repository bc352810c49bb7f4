// A node:test reporter that writes how long each test file's top-level tests took, as JSON
// ({ "tests/unit/x.test.ts": seconds }), so the next run can start the longest files first.
import { relative, sep } from 'node:path';

export default async function* fileTimes(source) {
  const seconds = {};
  for await (const event of source) {
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || event.data.nesting !== 0) continue;
    if (!event.data.file) continue;
    const file = relative(process.cwd(), event.data.file).split(sep).join('/');
    seconds[file] = (seconds[file] ?? 0) + (event.data.details?.duration_ms ?? 0) / 1000;
  }
  yield `${JSON.stringify(seconds, null, 2)}\n`;
}
