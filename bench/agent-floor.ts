/**
 * The floor under the agent's sampling cost: a bare Node.js loop doing only the I/O one sample
 * needs, the way the agent does it — a GET of each target's /debug/pprof/ index over a kept
 * connection (the agent's KeepAliveGet) and reads of /proc/<pid>/stat and status through kept
 * descriptors (its ProcFiles) — for 10 fault-fixture processes every second, with nothing else
 * (no parsing, detection, metrics or shipping). `BENCH_FLOOR_HTTP=node` uses node:http with
 * keep-alive instead, the agent's earlier client. Reports its own CPU as % of one core and its RSS.
 *
 *   npm run bench:agent-floor      (BENCH_SECONDS=60 by default)
 */
import { Agent, get } from 'node:http';
import { KeepAliveGet } from '@stackwatch/agent-app/dist/keep-alive-get';
import { ProcFiles } from '@stackwatch/agent-app/dist/sample/proc-stat';
import { startFaultFixtures } from '@stackwatch/testing';

const TARGETS = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP_SECONDS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const fixtures = await startFaultFixtures({ count: TARGETS });
  const nodeHttp = process.env.BENCH_FLOOR_HTTP === 'node';
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const viaNodeHttp = (url: string) =>
    new Promise<Buffer>((resolve, reject) =>
      get(`${url}/debug/pprof/`, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject),
    );
  const kept = new Map(fixtures.map((f) => [f.url, new KeepAliveGet(new URL(`${f.url}/debug/pprof/`), { maxBytes: 1 << 20 })]));
  const procFiles = new Map(fixtures.map((f) => [f.pid, new ProcFiles()]));
  const tick = setInterval(() => {
    for (const f of fixtures) {
      void (nodeHttp ? viaNodeHttp(f.url) : kept.get(f.url)!.get(1_000));
      procFiles.get(f.pid)!.read(f.pid);
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
          http: nodeHttp ? 'node:http keep-alive' : 'KeepAliveGet',
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
    for (const k of kept.values()) k.close();
    for (const p of procFiles.values()) p.close();
    await Promise.all(fixtures.map((f) => f.stop()));
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
