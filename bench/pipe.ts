/**
 * The pipe's cost, measured side by side in one run (alternating rounds) against talking to the same
 * stdio server directly:
 * - burst: CALLS `tools/call` echo requests sent at once, answers/s through the pipe (local ws endpoint
 *   -> relay -> tiny stdio server) divided by answers/s writing the same lines to the child directly;
 * - latency: p50 of one request at a time (SEQ calls), pipe divided by direct.
 * Target: burst ratio at least 0.5, latency ratio at most 2.
 *
 *   npx tsx bench/pipe.ts
 *   CALLS=5000 SEQ=1000 ROUNDS=5 npx tsx bench/pipe.ts
 */
import { fileURLToPath } from 'node:url';
import { spawnChild } from '../src/servers/process/child-process.js';
import { createLineSplitter } from '../src/servers/process/line-splitter.js';
import { redactEndpoint } from '../src/pipe/endpoint-url.js';
import { createPipeRelay } from '../src/pipe/pipe-relay.js';
import { openTransportFor } from '../src/pipe/pipe-transports.js';
import { createTestEndpoint } from '../test/helpers/pipe-endpoint.js';

const CALLS = Number(process.env['CALLS'] ?? 2000);
const SEQ = Number(process.env['SEQ'] ?? 300);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const TINY = fileURLToPath(new URL('../test/fixtures/mcp/tiny.mjs', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const call = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: `hello ${id}` } } });
const INIT = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });

/** A line channel: send a text, get each answer's id. */
interface Channel {
  send(text: string): void;
  onAnswer: (id: number) => void;
  close(): Promise<void>;
}

async function direct(): Promise<Channel> {
  const child = await spawnChild({ command: process.execPath, args: [TINY], env: { PATH: process.env['PATH'] ?? '' } });
  const ch: Channel = {
    send: (t) => void child.stdin.write(t + '\n'),
    onAnswer: () => {},
    close: async () => void (await child.stop({ stdinMs: 500 })),
  };
  const split = createLineSplitter({ maxLineBytes: 1 << 24 }, { onLine: (l) => ch.onAnswer((JSON.parse(l.toString()) as { id: number }).id), onOverflow: () => {} });
  child.stdout.on('data', (d: Buffer) => split.push(d));
  return ch;
}

async function piped(): Promise<Channel> {
  const ep = await createTestEndpoint();
  const url = ep.url();
  const relay = createPipeRelay({
    endpoint: async () => url,
    display: redactEndpoint(url),
    open: openTransportFor({ name: 'tiny', kind: 'stdio', command: process.execPath, args: [TINY], env: {}, cwd: undefined, endpoint: undefined }, { inheritedEnv: { PATH: process.env['PATH'] ?? '' }, log: quiet }),
    log: quiet,
    maxInFlight: 1,
    timing: { backoffBaseMs: 1000, backoffMaxMs: 60_000, stableMs: 30_000, pingIntervalMs: 20_000, pongTimeoutMs: 10_000 },
  });
  relay.start();
  const conn = await ep.connection(1);
  const ch: Channel = {
    send: (t) => conn.ws.send(t),
    onAnswer: () => {},
    close: async () => {
      await relay.stop();
      await ep.close();
    },
  };
  conn.ws.on('message', (d) => ch.onAnswer((JSON.parse(d.toString()) as { id: number }).id));
  return ch;
}

function answers(ch: Channel, n: number): Promise<void> {
  return new Promise((resolve) => {
    let left = n;
    ch.onAnswer = () => {
      if (--left === 0) resolve();
    };
  });
}

async function burst(ch: Channel): Promise<number> {
  const done = answers(ch, CALLS);
  const t0 = performance.now();
  for (let i = 1; i <= CALLS; i++) ch.send(call(i));
  await done;
  return CALLS / ((performance.now() - t0) / 1000);
}

async function latency(ch: Channel): Promise<number> {
  const times: number[] = [];
  for (let i = 1; i <= SEQ; i++) {
    const done = answers(ch, 1);
    const t0 = performance.now();
    ch.send(call(100_000 + i));
    await done;
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function measure(make: () => Promise<Channel>) {
  const ch = await make();
  const ready = answers(ch, 1);
  ch.send(INIT);
  await ready;
  await burst(ch); // warm-up
  const rate = await burst(ch);
  const p50 = await latency(ch);
  await ch.close();
  return { rate, p50 };
}

const rows: { direct: { rate: number; p50: number }; pipe: { rate: number; p50: number } }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const d = await measure(direct);
  const p = await measure(piped);
  rows.push({ direct: d, pipe: p });
  console.log(`round ${r + 1}: direct ${Math.round(d.rate)} answers/s, p50 ${d.p50.toFixed(3)} ms | pipe ${Math.round(p.rate)} answers/s, p50 ${p.p50.toFixed(3)} ms`);
}
const dRate = median(rows.map((x) => x.direct.rate));
const pRate = median(rows.map((x) => x.pipe.rate));
const dP50 = median(rows.map((x) => x.direct.p50));
const pP50 = median(rows.map((x) => x.pipe.p50));
console.log(`\nburst (${CALLS} calls): direct ${Math.round(dRate)} /s, pipe ${Math.round(pRate)} /s, ratio ${(pRate / dRate).toFixed(2)} (target >= 0.5)`);
console.log(`latency (${SEQ} sequential calls): direct p50 ${dP50.toFixed(3)} ms, pipe p50 ${pP50.toFixed(3)} ms, ratio ${(pP50 / dP50).toFixed(2)} (target <= 2)`);
process.exit(0);
