// A load generator with as little overhead as a client can have, run in its own process by
// bench/collector.ts so its CPU is measured apart from the collector's: every request is a
// pre-serialised Buffer (request line, headers and JSON body) written on a kept-alive socket,
// one request in flight per socket; the answer is read only as far as its status and length.
//   node --import tsx bench/collector-raw-client.ts <items.ndjson> <seconds> <connections> <url>...
// Prints one JSON line: counts per status, latency quantiles and its own CPU seconds.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

const [file, secondsArg, connectionsArg, ...urls] = process.argv.slice(2);
if (!file || !secondsArg || !connectionsArg || urls.length === 0)
  throw new Error('usage: collector-raw-client.ts <items.ndjson> <seconds> <connections> <url>...');
const seconds = Number(secondsArg);
const connections = Number(connectionsArg);

/** One request per line of the file: `{"body": "...", "id": "..."}`. */
function requests(url: string): Buffer[] {
  const { host } = new URL(url);
  return readFileSync(file!, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const { body, id } = JSON.parse(line) as { body: string; id?: string };
      const payload = Buffer.from(body);
      const head =
        `POST /reports HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${payload.length}\r\n${id ? `Idempotency-Key: ${id}\r\n` : ''}\r\n`;
      return Buffer.concat([Buffer.from(head), payload]);
    });
}

const perUrl = urls.map(requests);
const total = perUrl[0]!.length;
const statuses = new Map<number, number>();
const latencies: number[] = [];
let next = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const deadline = t0 + seconds * 1000;

/** Runs one kept-alive connection until the items or the time run out. */
function connection(index: number): Promise<void> {
  const url = new URL(urls[index % urls.length]!);
  const payloads = perUrl[index % urls.length]!;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    const send = () => {
      if (performance.now() >= deadline || next >= total) return void socket.end(resolve);
      sentAt = performance.now();
      socket.write(payloads[next++]!);
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
