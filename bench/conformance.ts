/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, server mode) against
 * `@modelcontextprotocol/server-everything` twice, same run: hosted directly (its own Streamable HTTP
 * mode) and behind the gateway at `/mcp/everything` (the same server over stdio). Prints both pass
 * counts and the scenarios whose result differs.
 *
 * The conformance package ships no "everything" server of its own, so scenarios that expect its
 * test tools (test_image_content, ...) fail in both columns; the comparison is what matters. Its
 * CLI needs Node 22+ (fs.globSync): set CONFORMANCE_NODE to a Node 22+ binary when this one is older.
 * It cannot send an API key, so a loopback proxy here adds `Authorization: Bearer` for the gateway.
 *
 *   CONFORMANCE_NODE=/path/to/node22 npm run bench:conformance
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { children, freePort, spawnChild, startGateway, waitHttp } from './harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const EVERYTHING = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const CLI = path.join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const NODE = process.env['CONFORMANCE_NODE'] ?? process.execPath;

function nodeMajor(bin: string): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(bin, ['-p', 'process.versions.node.split(".")[0]']);
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('close', () => resolve(Number(out.trim()) || 0));
    c.on('error', () => resolve(0));
  });
}

/** Runs the suite against `url`; returns per-scenario [passed, failed] and the totals. */
function runSuite(url: string): Promise<{ scenarios: Map<string, [number, number]>; passed: number; failed: number; raw: string }> {
  const out = mkdtempSync(path.join(tmpdir(), 'mcps-conformance-'));
  return new Promise((resolve) => {
    const c = spawn(NODE, [CLI, 'server', '--url', url, '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let raw = '';
    c.stdout.on('data', (d: Buffer) => (raw += d.toString()));
    c.stderr.on('data', (d: Buffer) => (raw += d.toString()));
    c.on('close', () => {
      rmSync(out, { recursive: true, force: true });
      const scenarios = new Map<string, [number, number]>();
      for (const m of raw.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gmu)) scenarios.set(m[1]!, [Number(m[2]), Number(m[3])]);
      const total = /Total: (\d+) passed, (\d+) failed/.exec(raw);
      resolve({ scenarios, passed: Number(total?.[1] ?? 0), failed: Number(total?.[2] ?? 0), raw });
    });
  });
}

/** Adds the API key to every request and streams the answer back (SSE included). */
function authProxy(target: string, key: string): Promise<{ url: string; close(): void }> {
  const t = new URL(target);
  const server = createServer((req, res) => {
    const headers = { ...req.headers, host: t.host, authorization: `Bearer ${key}` };
    const up = request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() })),
  );
}

const major = await nodeMajor(NODE);
if (major < 22) {
  console.error(`The conformance CLI needs Node 22 or newer (it uses fs.globSync); ${NODE} is Node ${major}. Set CONFORMANCE_NODE to a Node 22+ binary.`);
  process.exit(2);
}

try {
  const port = await freePort();
  spawnChild([EVERYTHING, 'streamableHttp'], { PORT: String(port) }).stdout!.resume();
  const directUrl = `http://127.0.0.1:${port}/mcp`;
  await waitHttp(directUrl);
  const gw = await startGateway({ name: 'everything', args: [EVERYTHING, 'stdio'] });
  const proxy = await authProxy(gw.base, gw.key);

  const direct = await runSuite(directUrl);
  const gateway = await runSuite(`${proxy.url}/mcp/everything`);
  proxy.close();
  if (process.env['CONFORMANCE_VERBOSE']) console.log(gateway.raw);

  console.log(`scenario                              direct   gateway`);
  for (const [name, [p, f]] of direct.scenarios) {
    const g = gateway.scenarios.get(name) ?? [0, 0];
    const mark = g[0] !== p || g[1] !== f ? '  <- differs' : '';
    console.log(`${name.padEnd(38)}${`${p}/${p + f}`.padStart(6)}${`${g[0]}/${g[0] + g[1]}`.padStart(10)}${mark}`);
  }
  console.log(`\nchecks passed: direct ${direct.passed}/${direct.passed + direct.failed}, through the gateway ${gateway.passed}/${gateway.passed + gateway.failed}`);
  rmSync(gw.dir, { recursive: true, force: true });
} finally {
  for (const c of children) c.kill('SIGINT');
}
