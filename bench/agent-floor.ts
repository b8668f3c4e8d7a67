/**
 * The floor under the agent's sampling cost: a bare Node.js loop doing only the I/O one sample
 * needs — a keep-alive GET of each target's /debug/pprof/ index and reads of /proc/<pid>/stat and
 * status — for 10 fault-fixture processes every second, with nothing else (no parsing,
 * detection, metrics or shipping). Reports its own CPU as % of one core and its RSS.
 *
 *   npm run bench:agent-floor      (BENCH_SECONDS=60 by default)
 */
import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { startFaultFixtures } from '@stackwatch/testing';

const TARGETS = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP_SECONDS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const fixtures = await startFaultFixtures({ count: TARGETS });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const fetchIndex = (url: string) =>
    new Promise<Buffer>((resolve, reject) =>
      get(`${url}/debug/pprof/`, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject),
    );
  const tick = setInterval(() => {
    for (const f of fixtures) {
      void fetchIndex(f.url);
      readFileSync(`/proc/${f.pid}/stat`);
      readFileSync(`/proc/${f.pid}/status`);
    }
  }, 1_000);
  try {
    await sleep(WARMUP_SECONDS * 1000);
    const before = process.cpuUsage();
    await sleep(SECONDS * 1000);
    const used = process.cpuUsage(before);
    console.log(
      JSON.stringify(
        {
          targets: TARGETS,
          measuredSeconds: SECONDS,
          floorCpuPercentOfOneCore: +(((used.user + used.system) / (SECONDS * 1e6)) * 100).toFixed(2),
          floorRssMiB: +(process.memoryUsage().rss / 1024 / 1024).toFixed(1),
        },
        null,
        2,
      ),
    );
  } finally {
    clearInterval(tick);
    await Promise.all(fixtures.map((f) => f.stop()));
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
