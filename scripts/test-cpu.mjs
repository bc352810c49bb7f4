// Loaded by scripts/run-tests.mjs into the process of each test file: when the file's process exits, it
// writes the CPU seconds (user + system) of that process and of the children it waited for (browsers,
// servers, the CLI, PostgreSQL) to the file the runner named. The variable is removed at once, so that
// a process a test starts neither inherits it nor overwrites the record.
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env['OBSCURA_TEST_CPU_FILE'];
delete process.env['OBSCURA_TEST_CPU_FILE'];

/** User + system seconds of the children this process has waited for (Linux; 0 where /proc is missing). */
function childrenSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name, which may hold spaces, start at field 3; cutime and cstime are 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Clock ticks are 1/100 s on every Linux that Node runs on (USER_HZ).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

if (out) {
  process.on('exit', () => {
    const own = process.cpuUsage();
    const cpu = (own.user + own.system) / 1e6 + childrenSeconds();
    writeFileSync(out, JSON.stringify({ cpu }));
  });
}
