// A load generator with as little overhead as a client can have, run in its own process by
// bench/collector.ts so its CPU is measured apart from the collector's. Requests are built from
// pre-serialised parts (request line, headers and a real report's JSON, split where its id goes):
// each request copies them around a fresh 128-bit id, so a long run needs no per-request JSON and
// no memory per request. One request in flight per kept-alive socket; the answer is read only as
// far as its status and length. The mix is bench/collector.ts's: 10 % resends of an id sent five
// requests earlier, 1 % invalid bodies (a declared scale that is not the calibration's).
//   node --import tsx bench/collector-raw-client.ts <reports.json> <seconds> <connections> <url>...
// Prints one JSON line: counts per status, latency quantiles and its own CPU seconds.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

const [file, secondsArg, connectionsArg, ...urls] = process.argv.slice(2);
if (!file || !secondsArg || !connectionsArg || urls.length === 0)
  throw new Error('usage: collector-raw-client.ts <reports.json> <seconds> <connections> <url>...');
const seconds = Number(secondsArg);
const connections = Number(connectionsArg);

/** A request split around its id (which appears in the Idempotency-Key header and in the body). */
interface Template {
  readonly parts: readonly [Buffer, Buffer, Buffer];
}

function template(host: string, report: string, keyed: boolean): Template {
  const [before, after] = report.split(/"id":"[0-9a-f]{32}"/) as [string, string];
  const length = Buffer.byteLength(before) + Buffer.byteLength(after) + '"id":""'.length + 32;
  const head =
    `POST /reports HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n` +
    (keyed ? 'Idempotency-Key: ' : 'X-Id: ');
  return { parts: [Buffer.from(head), Buffer.from(`\r\n\r\n${before}"id":"`), Buffer.from(`"${after}`)] };
}

const reports = JSON.parse(readFileSync(file, 'utf8')) as string[];
const perUrl = urls.map((u) => {
  const { host } = new URL(u);
  return {
    valid: reports.map((r) => template(host, r, true)),
    invalid: reports.map((r) => template(host, r.replace(/"scale":[^,}]+/, '"scale":1'), false)),
  };
});
const recent: { id: Buffer; t: Template }[] = [];
let sequence = 0;

/** The next request of the mix, for the URL at `index`. */
function nextRequest(index: number): Buffer {
  const i = sequence++;
  const { valid, invalid } = perUrl[index]!;
  let id: Buffer;
  let t: Template;
  if (i % 11 === 10 && recent.length >= 5) {
    ({ id, t } = recent[recent.length - 5]!); // a resend of an id sent five requests earlier, same body
  } else if (i % 101 === 100) {
    id = Buffer.from(randomBytes(16).toString('hex'));
    t = invalid[i % invalid.length]!;
  } else {
    id = Buffer.from(randomBytes(16).toString('hex'));
    t = valid[i % valid.length]!;
    recent.push({ id, t });
    if (recent.length > 16) recent.shift();
  }
  return Buffer.concat([t.parts[0], id, t.parts[1], id, t.parts[2]]);
}

const statuses = new Map<number, number>();
const latencies: number[] = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const deadline = t0 + seconds * 1000;

/** Runs one kept-alive connection until the items or the time run out. */
function connection(index: number): Promise<void> {
  const url = new URL(urls[index % urls.length]!);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    const send = () => {
      if (performance.now() >= deadline) return void socket.end(resolve);
      sentAt = performance.now();
      socket.write(nextRequest(index % urls.length));
    };
    socket.on('connect', send);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const status = Number(head.slice(9, 12));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        latencies.push(performance.now() - sentAt);
        buffer = buffer.subarray(end + 4 + length);
        send();
      }
    });
  });
}

await Promise.all(Array.from({ length: connections }, (_, i) => connection(i)));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
console.log(
  JSON.stringify({
    seconds: elapsed,
    requests: latencies.length,
    statuses: Object.fromEntries(statuses),
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }),
);
