/**
 * The MCP gateway against side-by-side baselines, one run, loopback only, bounded:
 *
 * 1. Latency: p50 / p99 of `tools/call` (echo) through the gateway (Streamable HTTP, API key,
 *    recording on) divided by the same call to the same server hosted directly by the SDK's
 *    Streamable HTTP transport (no proxy; its default answers a request as an SSE stream).
 *    Sequential calls, one to each in turn (direct, gateway, direct, ...), so a change in the load
 *    of a shared machine falls on both sides alike. For information, the same server with the
 *    SDK's `enableJsonResponse` (a request answered as application/json, as the gateway does) is
 *    measured in the same rotation.
 * 2. Throughput: calls/s with 32 calls in flight on one session through the gateway divided by the
 *    same against each peer fronting the same stdio server over Streamable HTTP: supergateway
 *    (stateful), mcp-proxy (from BENCH_PEERS_DIR, default /tmp/peers), and mcp-hub where it can
 *    serve one (it cannot: SSE only; named in the table). Printed as a table with the targets.
 *
 * Every server runs as a child process (the gateway as `mcps serve` from source); the SDK client
 * runs here. TCP_NODELAY is set on every server socket and by the client's fetch.
 *
 *   npm run bench:gateway
 *   CALLS=2000 ROUNDS=3 INFLIGHT=32 WARMUP=2000 npm run bench:gateway
 *   npm install --prefix /tmp/peers mcp-proxy@6.7.19 mcp-hub@4.2.1   # the peers outside package.json
 *   BENCH_PEERS_DIR=/elsewhere npm run bench:gateway
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { children, freePort, readyLine, spawnChild, startGateway, treeCpuMs, waitHttp } from './harness.js';
import { echoCall, openDriver } from './mcp-http-driver.js';

const CALLS = Number(process.env['CALLS'] ?? 1500);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const INFLIGHT = Number(process.env['INFLIGHT'] ?? 32);
const THROUGHPUT_CALLS = Number(process.env['THROUGHPUT_CALLS'] ?? 3000);
/**
 * Interleaved calls before the latency rounds. 300 (the figure until 4 December 2026) left the first
 * measured round visibly cold on every side (the direct server's own p50 20-30 % above later rounds,
 * V8 still optimizing the gateway's request path), so a long-running gateway is measured warm now.
 */
const WARMUP = Number(process.env['WARMUP'] ?? 2000);
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
  for (let i = 0; i < n; i++) out.push(await timedCall(client, i));
  return out;
}

async function timedCall(client: Client, i: number): Promise<number> {
  const t0 = performance.now();
  await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
  return performance.now() - t0;
}

/** `n` sequential calls to each client, one to each in turn: their round-trip times, per client. */
async function interleaved(clients: Client[], n: number): Promise<number[][]> {
  const out = clients.map(() => [] as number[]);
  for (let i = 0; i < n; i++) for (let k = 0; k < clients.length; k++) out[k]!.push(await timedCall(clients[k]!, i));
  return out;
}

/**
 * `inflight` calls kept in flight with the lean raw driver (the SDK client would be the bottleneck):
 * calls/s, and the CPU each call cost the process at `pid` and its children (the proxy and the
 * server behind it), in µs.
 */
async function throughput(url: string, key: string | undefined, total: number, inflight: number, pid: number): Promise<{ rate: number; cpu: number }> {
  const driver = await openDriver(url, key, inflight);
  try {
    let next = 0;
    const cpu0 = treeCpuMs(pid);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        while (next < total) {
          next++;
          await driver.call(echoCall('echo'));
        }
      }),
    );
    const rate = total / ((performance.now() - t0) / 1000);
    return { rate, cpu: ((treeCpuMs(pid) - cpu0) * 1000) / total };
  } finally {
    driver.close();
  }
}

interface Peer {
  name: string;
  version: string;
  url: string;
  pid: number;
}

/** The installed version of a package at `dir` (its package.json), or null when it is not there. */
function versionAt(dir: string): string | null {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/**
 * The peers, each fronting `echo-server.mjs stdio` over Streamable HTTP: supergateway (a
 * devDependency), and from BENCH_PEERS_DIR (default /tmp/peers, see docs/benchmarks.md:
 * `npm install --prefix /tmp/peers mcp-proxy@6.7.19 mcp-hub@4.2.1`) mcp-proxy and mcp-hub. A
 * peer that is not installed, or cannot serve Streamable HTTP, is named with the reason.
 */
async function startPeers(): Promise<{ peers: Peer[]; notMeasured: { name: string; version: string; why: string }[] }> {
  const stdio = `${process.execPath} ${ECHO} stdio`;
  const peers: Peer[] = [];
  const notMeasured: { name: string; version: string; why: string }[] = [];
  const sgDir = path.join(ROOT, 'node_modules/supergateway');
  const sgPort = await freePort();
  const sg = spawnChild([path.join(sgDir, 'dist/index.js'), '--stdio', stdio, '--outputTransport', 'streamableHttp', '--stateful', '--port', String(sgPort), '--logLevel', 'none']);
  sg.stdout!.resume();
  await waitHttp(`http://127.0.0.1:${sgPort}/mcp`);
  peers.push({ name: 'supergateway', version: versionAt(sgDir) ?? '?', url: `http://127.0.0.1:${sgPort}/mcp`, pid: sg.pid! });

  const peersDir = process.env['BENCH_PEERS_DIR'] ?? '/tmp/peers';
  const proxyDir = path.join(peersDir, 'node_modules/mcp-proxy');
  const proxyVersion = versionAt(proxyDir);
  if (proxyVersion) {
    const port = await freePort();
    // Streamable HTTP only, no resumability store (request/response load: the leanest setting it offers).
    const proxy = spawnChild([path.join(proxyDir, 'dist/bin/mcp-proxy.mjs'), '--port', String(port), '--host', '127.0.0.1', '--server', 'stream', '--no-eventStore', '--', process.execPath, ECHO, 'stdio']);
    proxy.stdout!.resume();
    await waitHttp(`http://127.0.0.1:${port}/mcp`);
    peers.push({ name: 'mcp-proxy', version: proxyVersion, url: `http://127.0.0.1:${port}/mcp`, pid: proxy.pid! });
  } else notMeasured.push({ name: 'mcp-proxy', version: '-', why: `not installed in ${peersDir}` });

  const hubVersion = versionAt(path.join(peersDir, 'node_modules/mcp-hub'));
  notMeasured.push({
    name: 'mcp-hub',
    version: hubVersion ?? '-',
    why: hubVersion ? 'its /mcp endpoint speaks only the deprecated SSE transport (GET /mcp + POST /messages), no Streamable HTTP' : `not installed in ${peersDir}`,
  });
  return { peers, notMeasured };
}

try {
  const direct = spawnChild([ECHO, 'http']);
  const [directPort] = await readyLine(direct, 'READY ');
  const directJson = spawnChild([ECHO, 'http-json']);
  const [directJsonPort] = await readyLine(directJson, 'READY ');
  const gw = await startGateway({ name: 'echo', args: [ECHO, 'stdio'], allowedTools: ['echo__*'] });
  const { peers, notMeasured } = await startPeers();
  const directUrl = `http://127.0.0.1:${directPort}/mcp`;
  const directClient = await connect(directUrl);
  const gwClient = await connect(gw.url, gw.key);
  const directJsonClient = await connect(`http://127.0.0.1:${directJsonPort}/mcp`);
  const sgClient = await connect(peers.find((p) => p.name === 'supergateway')!.url);

  // Warm-up (JIT, connections, caches).
  await interleaved([directClient, gwClient, directJsonClient], WARMUP);
  await latencies(sgClient, 100);

  const lat: { d50: number[]; d99: number[]; g50: number[]; g99: number[]; j50: number[] } = { d50: [], d99: [], g50: [], g99: [], j50: [] };
  for (let r = 1; r <= ROUNDS; r++) {
    const [d, g, j] = (await interleaved([directClient, gwClient, directJsonClient], CALLS)) as [number[], number[], number[]];
    lat.d50.push(pct(d, 50));
    lat.d99.push(pct(d, 99));
    lat.g50.push(pct(g, 50));
    lat.g99.push(pct(g, 99));
    lat.j50.push(pct(j, 50));
    console.log(
      `latency round ${r}: direct p50 ${pct(d, 50).toFixed(3)} ms p99 ${pct(d, 99).toFixed(3)} ms | gateway p50 ${pct(g, 50).toFixed(3)} ms p99 ${pct(g, 99).toFixed(3)} ms | p50 ratio ${(pct(g, 50) / pct(d, 50)).toFixed(3)} | (direct with JSON responses p50 ${pct(j, 50).toFixed(3)} ms, gateway ÷ it ${(pct(g, 50) / pct(j, 50)).toFixed(3)})`,
    );
  }

  const tp = { gateway: [] as number[], direct: [] as number[], peers: new Map<string, number[]>(peers.map((p) => [p.name, []])) };
  const cpu = new Map<string, number[]>([['gateway', []], ['direct', []], ...peers.map((p) => [p.name, []] as [string, number[]])]);
  for (let r = 1; r <= ROUNDS; r++) {
    const g = await throughput(gw.url, gw.key, THROUGHPUT_CALLS, INFLIGHT, gw.pid);
    tp.gateway.push(g.rate);
    cpu.get('gateway')!.push(g.cpu);
    const line = [`gateway ${g.rate.toFixed(0)} [${g.cpu.toFixed(0)} µs CPU/call]`];
    for (const peer of peers) {
      const x = await throughput(peer.url, undefined, THROUGHPUT_CALLS, INFLIGHT, peer.pid);
      tp.peers.get(peer.name)!.push(x.rate);
      cpu.get(peer.name)!.push(x.cpu);
      line.push(`${peer.name} ${x.rate.toFixed(0)} [${x.cpu.toFixed(0)} µs] (ratio ${(g.rate / x.rate).toFixed(2)})`);
    }
    const d = await throughput(directUrl, undefined, THROUGHPUT_CALLS, INFLIGHT, direct.pid!);
    tp.direct.push(d.rate);
    cpu.get('direct')!.push(d.cpu);
    console.log(`throughput round ${r} (${INFLIGHT} in flight), calls/s: ${line.join(' | ')} | (direct SDK HTTP ${d.rate.toFixed(0)} [${d.cpu.toFixed(0)} µs])`);
  }

  const p50Ratio = median(lat.g50) / median(lat.d50);
  const p99Ratio = median(lat.g99) / median(lat.d99);
  console.log('');
  console.log(`median p50: direct ${median(lat.d50).toFixed(3)} ms, gateway ${median(lat.g50).toFixed(3)} ms -> ratio ${p50Ratio.toFixed(3)} (target <= 1.2: ${p50Ratio <= 1.2 ? 'met' : `not met, ${(p50Ratio - 1.2).toFixed(3)} over`})`);
  console.log(`median p99: direct ${median(lat.d99).toFixed(3)} ms, gateway ${median(lat.g99).toFixed(3)} ms -> ratio ${p99Ratio.toFixed(3)}`);
  console.log(`(information: the direct server with enableJsonResponse, median p50 ${median(lat.j50).toFixed(3)} ms -> gateway ÷ it ${(median(lat.g50) / median(lat.j50)).toFixed(3)})`);
  console.log('');
  const gMed = median(tp.gateway);
  console.log(`calls/s at ${INFLIGHT} in flight, medians of ${ROUNDS} rounds; every peer fronts the same stdio server over Streamable HTTP`);
  console.log('(CPU/call: user + system time of the proxy process and the server behind it, per call, median; a busy machine inflates calls/s far more than it)');
  const cpuOf = (name: string) => `${median(cpu.get(name)!).toFixed(0)} µs`;
  console.log(`| peer | version | calls/s | CPU/call | gateway ÷ peer | target | verdict |`);
  console.log(`|---|---|---|---|---|---|---|`);
  console.log(`| mcps gateway /mcp/{server} | (this tree) | ${gMed.toFixed(0)} | ${cpuOf('gateway')} | 1.00 | | |`);
  for (const peer of peers) {
    const x = median(tp.peers.get(peer.name)!);
    const ratio = gMed / x;
    const target = peer.name === 'supergateway' ? 2 : 1;
    const verdict = ratio >= target ? 'met' : `not met: gateway needs ${(target * x).toFixed(0)} calls/s, ${(target * x - gMed).toFixed(0)} short`;
    console.log(`| ${peer.name} | ${peer.version} | ${x.toFixed(0)} | ${cpuOf(peer.name)} | ${ratio.toFixed(2)} | ${target === 2 ? '>= 2' : '> 1 (ahead)'} | ${verdict} |`);
  }
  for (const skipped of notMeasured) console.log(`| ${skipped.name} | ${skipped.version} | - | - | - | > 1 (ahead) | not measured: ${skipped.why} |`);
  console.log(`| (direct SDK Streamable HTTP, no proxy) | | ${median(tp.direct).toFixed(0)} | ${cpuOf('direct')} | ${(gMed / median(tp.direct)).toFixed(2)} | information | |`);
  await Promise.all([directClient, gwClient, directJsonClient, sgClient].map((c) => c.close().catch(() => {})));
  rmSync(gw.dir, { recursive: true, force: true });
} finally {
  for (const c of children) c.kill('SIGINT');
}
