/**
 * The MCP gateway against side-by-side baselines, one run, loopback only, bounded:
 *
 * 1. Latency: p50 / p99 of `tools/call` (echo) through the gateway (Streamable HTTP, API key,
 *    recording on) divided by the same call to the same server hosted directly by the SDK's
 *    Streamable HTTP transport (no proxy). Sequential calls in alternating blocks.
 * 2. Throughput: calls/s with 32 calls in flight on one session through the gateway divided by the
 *    same against supergateway (stdio -> Streamable HTTP, stateful) fronting the same stdio server.
 *
 * Every server runs as a child process (the gateway as `mcps serve` from source); the SDK client
 * runs here. TCP_NODELAY is set on every server socket and by the client's fetch.
 *
 *   npm run bench:gateway
 *   CALLS=2000 ROUNDS=3 INFLIGHT=32 npm run bench:gateway
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { children, freePort, readyLine, spawnChild, startGateway, waitHttp } from './harness.js';
import { echoCall, openDriver } from './mcp-http-driver.js';

const CALLS = Number(process.env['CALLS'] ?? 1500);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const INFLIGHT = Number(process.env['INFLIGHT'] ?? 32);
const THROUGHPUT_CALLS = Number(process.env['THROUGHPUT_CALLS'] ?? 3000);
const here = import.meta.dirname;
const ECHO = path.join(here, 'servers', 'echo-server.mjs');
const ROOT = path.resolve(here, '..');
async function connect(url: string, key?: string): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), key ? { requestInit: { headers: { authorization: `Bearer ${key}` } } } : {}));
  return client;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const median = (xs: number[]) => pct(xs, 50);

async function latencies(client: Client, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
    out.push(performance.now() - t0);
  }
  return out;
}

/** `inflight` calls kept in flight with the lean raw driver (the SDK client would be the bottleneck). */
async function throughput(url: string, key: string | undefined, total: number, inflight: number): Promise<number> {
  const driver = await openDriver(url, key, inflight);
  try {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        while (next < total) {
          next++;
          await driver.call(echoCall('echo'));
        }
      }),
    );
    return total / ((performance.now() - t0) / 1000);
  } finally {
    driver.close();
  }
}

try {
  const direct = spawnChild([ECHO, 'http']);
  const [directPort] = await readyLine(direct, 'READY ');
  const gw = await startGateway({ name: 'echo', args: [ECHO, 'stdio'], allowedTools: ['echo__*'] });
  const sgPort = await freePort();
  spawnChild([path.join(ROOT, 'node_modules/supergateway/dist/index.js'), '--stdio', `${process.execPath} ${ECHO} stdio`, '--outputTransport', 'streamableHttp', '--stateful', '--port', String(sgPort), '--logLevel', 'none']).stdout!.resume();
  await waitHttp(`http://127.0.0.1:${sgPort}/mcp`);

  const directUrl = `http://127.0.0.1:${directPort}/mcp`;
  const sgUrl = `http://127.0.0.1:${sgPort}/mcp`;
  const directClient = await connect(directUrl);
  const gwClient = await connect(gw.url, gw.key);
  const sgClient = await connect(sgUrl);

  // Warm-up (JIT, connections, caches).
  await latencies(directClient, 300);
  await latencies(gwClient, 300);
  await latencies(sgClient, 100);

  const lat: { d50: number[]; d99: number[]; g50: number[]; g99: number[] } = { d50: [], d99: [], g50: [], g99: [] };
  for (let r = 1; r <= ROUNDS; r++) {
    const d = await latencies(directClient, CALLS);
    const g = await latencies(gwClient, CALLS);
    lat.d50.push(pct(d, 50));
    lat.d99.push(pct(d, 99));
    lat.g50.push(pct(g, 50));
    lat.g99.push(pct(g, 99));
    console.log(
      `latency round ${r}: direct p50 ${pct(d, 50).toFixed(3)} ms p99 ${pct(d, 99).toFixed(3)} ms | gateway p50 ${pct(g, 50).toFixed(3)} ms p99 ${pct(g, 99).toFixed(3)} ms | p50 ratio ${(pct(g, 50) / pct(d, 50)).toFixed(3)}`,
    );
  }

  const tp: { g: number[]; s: number[]; d: number[] } = { g: [], s: [], d: [] };
  for (let r = 1; r <= ROUNDS; r++) {
    const g = await throughput(gw.url, gw.key, THROUGHPUT_CALLS, INFLIGHT);
    const s = await throughput(sgUrl, undefined, THROUGHPUT_CALLS, INFLIGHT);
    const d = await throughput(directUrl, undefined, THROUGHPUT_CALLS, INFLIGHT);
    tp.g.push(g);
    tp.s.push(s);
    tp.d.push(d);
    console.log(
      `throughput round ${r} (${INFLIGHT} in flight): gateway ${g.toFixed(0)} calls/s | supergateway ${s.toFixed(0)} calls/s | ratio ${(g / s).toFixed(2)} | (direct SDK HTTP ${d.toFixed(0)} calls/s)`,
    );
  }

  const p50Ratio = median(lat.g50) / median(lat.d50);
  const p99Ratio = median(lat.g99) / median(lat.d99);
  const tpRatio = median(tp.g) / median(tp.s);
  console.log('');
  console.log(`median p50: direct ${median(lat.d50).toFixed(3)} ms, gateway ${median(lat.g50).toFixed(3)} ms -> ratio ${p50Ratio.toFixed(3)} (target <= 1.3)`);
  console.log(`median p99: direct ${median(lat.d99).toFixed(3)} ms, gateway ${median(lat.g99).toFixed(3)} ms -> ratio ${p99Ratio.toFixed(3)}`);
  console.log(`median calls/s at ${INFLIGHT} in flight: gateway ${median(tp.g).toFixed(0)}, supergateway ${median(tp.s).toFixed(0)} -> ratio ${tpRatio.toFixed(2)} (target >= 2)`);
  await Promise.all([directClient, gwClient, sgClient].map((c) => c.close().catch(() => {})));
  rmSync(gw.dir, { recursive: true, force: true });
} finally {
  for (const c of children) c.kill('SIGINT');
}
