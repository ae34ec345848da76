import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitHttp } from './harness.js';

/**
 * The platform under soak: the compiled `node dist/main.js serve` (built with `tsc -p tsconfig.build.json`
 * when dist/ is missing) on SQLite in a temp dir, with an Alertmanager receiver, an operator API key for
 * the gateway, a metrics token and SERVERS stdio upstreams that restart on failure.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const ADMIN_PASSWORD = 'soak-admin-password';
export const WEBHOOK_TOKEN = 'soak-am-token-0123456789abcdef';
export const METRICS_TOKEN = 'soak-metrics-token-0123456789abcdef';
/** Upstream per-call timeout (timeout_ms): no gateway call may take longer. */
export const CALL_TIMEOUT_MS = 10_000;
const UPSTREAM = path.join(ROOT, 'test/fixtures/mcp/tiny.mjs');

export interface Platform {
  child: ChildProcess;
  base: string;
  dir: string;
  dbFile: string;
  token: string;
  gatewayKey: string;
  servers: { name: string; id: string }[];
}

function ensureDist(): string {
  const entry = path.join(ROOT, 'dist/main.js');
  if (existsSync(entry) && process.env['SOAK_BUILD'] !== '1') return entry;
  process.stderr.write('soak: building dist/ (tsc -p tsconfig.build.json)\n');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('soak: the build failed');
  return entry;
}

export async function api<T = Record<string, unknown>>(base: string, method: string, url: string, token: string | null, body?: unknown): Promise<T> {
  const r = await fetch(`${base}${url}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

export async function startPlatform(serverCount: number): Promise<Platform> {
  const entry = ensureDist();
  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-soak-'));
  const port = await freePort();
  const dbFile = path.join(dir, 'mcps.db');
  const nodeArgs = (process.env['SOAK_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry, 'serve'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '',
      ENVIRONMENT: 'test',
      PORT: String(port),
      DATA_DIR: path.join(dir, 'data'),
      LOG_DIR: path.join(dir, 'logs'),
      LOG_LEVEL: process.env['SOAK_LOG_LEVEL'] ?? 'warn',
      MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD,
      MCPS_METRICS_TOKEN: METRICS_TOKEN,
      ACCESS_TOKEN_EXPIRE_MINUTES: '240',
      DATABASE_URL: `sqlite:///${dbFile}`,
    },
  });
  // Whatever happens to the soak, the platform (and so its upstreams, which end with their stdin) goes with it.
  process.once('exit', () => child.kill('SIGKILL'));
  child.stderr!.on('data', (d: Buffer) => {
    if (process.env['SOAK_DEBUG']) process.stderr.write(d);
  });
  const base = `http://127.0.0.1:${port}`;
  await waitHttp(`${base}/health`);
  const { access_token: token } = await api<{ access_token: string }>(base, 'POST', '/api/v1/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD });
  await api(base, 'POST', '/api/v1/secrets', token, { name: 'SOAK_AM_TOKEN', value: WEBHOOK_TOKEN });
  await api(base, 'POST', '/api/v1/alerts/receivers', token, { name: 'soak-am', kind: 'alertmanager', token: '${secret:SOAK_AM_TOKEN}' });
  const servers: Platform['servers'] = [];
  for (let i = 1; i <= serverCount; i++) {
    const name = `up${i}`;
    const created = await api<{ id: string }>(base, 'POST', '/api/v1/tools', token, {
      name,
      command: process.execPath,
      args: [UPSTREAM],
      restart_policy: 'always',
      max_retries: 100,
      timeout_ms: CALL_TIMEOUT_MS,
    });
    await api(base, 'POST', `/api/v1/tools/${created.id}/start`, token);
    servers.push({ name, id: created.id });
  }
  const { key } = await api<{ key: string }>(base, 'POST', '/api/v1/gateway/api-keys', token, { name: 'soak', role: 'operator' });
  return { child, base, dir, dbFile, token, gatewayKey: key, servers };
}

/** SIGTERM and wait: the platform writes what its protocol-log buffer holds before it exits. */
export async function stopPlatform(p: Platform): Promise<number | null> {
  if (p.child.exitCode !== null) return p.child.exitCode;
  const exited = new Promise<number | null>((r) => p.child.once('exit', (code) => r(code)));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
