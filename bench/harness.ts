import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** Child processes and the platform for the bench/ scripts (loopback only). */

const ROOT = path.resolve(import.meta.dirname, '..');

/** Every child started here, to stop at the end. */
export const children: ChildProcess[] = [];

export function spawnChild(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  child.stderr!.on('data', (d: Buffer) => {
    if (process.env['BENCH_DEBUG']) process.stderr.write(d);
  });
  return child;
}

export function readyLine(child: ChildProcess, prefix: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith(prefix));
      if (line) resolve(line.split(' ').slice(1));
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

/** Starts `bench/servers/<script>` under tsx and waits for its `READY <fields...>` line. */
export async function startBenchServer(script: string): Promise<{ child: ChildProcess; fields: string[] }> {
  const prof = process.env['BENCH_PROFILE_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE_DIR']}`, `--cpu-prof-interval=${process.env['BENCH_PROFILE_INTERVAL_US'] ?? 1000}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', import.meta.resolve('tsx'), path.join(import.meta.dirname, 'servers', script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  return { child, fields: await readyLine(child, 'READY ') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitHttp(url: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * `mcps serve` from source in a temp dir (SQLite), with one stdio server registered and started
 * (or `count` copies: name, name-2, ...) and an operator API key for the gateway; returns
 * `/mcp/{server}`, the key and the platform's pid. BENCH_DIST=1 runs the compiled `dist/main.js`
 * (build it with `npx tsc -p tsconfig.build.json`) instead of the sources under tsx.
 */
export async function startGateway(server: { name: string; args: string[]; allowedTools?: string[]; count?: number }): Promise<{ url: string; base: string; key: string; dir: string; pid: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-gw-'));
  const port = await freePort();
  const prof = process.env['BENCH_PROFILE_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE_DIR']}`, `--cpu-prof-interval=${process.env['BENCH_PROFILE_INTERVAL_US'] ?? 1000}`] : [];
  const entry = process.env['BENCH_DIST'] === '1' ? [path.join(ROOT, 'dist/main.js')] : ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src/main.ts')];
  const child = spawnChild([...prof, ...entry, 'serve'], {
    ENVIRONMENT: 'test',
    PORT: String(port),
    DATA_DIR: path.join(dir, 'data'),
    LOG_DIR: path.join(dir, 'logs'),
    LOG_LEVEL: 'warn',
    MCPS_ADMIN_PASSWORD: 'bench-admin-password',
    DATABASE_URL: `sqlite:///${path.join(dir, 'mcps.db')}`,
  });
  child.stdout!.resume();
  const base = `http://127.0.0.1:${port}`;
  await waitHttp(`${base}/health`);
  const json = async (method: string, url: string, body: unknown, token?: string) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<Record<string, unknown>>;
  };
  const { access_token } = (await json('POST', '/api/v1/auth/login', { username: 'admin', password: 'bench-admin-password' })) as { access_token: string };
  for (let i = 1; i <= (server.count ?? 1); i++) {
    const name = i === 1 ? server.name : `${server.name}-${i}`;
    await json('POST', '/api/v1/tools', { name, command: process.execPath, args: server.args, restart_policy: 'never', timeout_ms: 30_000 }, access_token);
    await json('POST', `/api/v1/tools/${name}/start`, undefined, access_token);
  }
  const created = (await json('POST', '/api/v1/gateway/api-keys', { name: 'bench', role: 'operator', ...(server.allowedTools ? { allowed_tools: server.allowedTools } : {}) }, access_token)) as { key: string };
  return { url: `${base}/mcp/${server.name}`, base, key: created.key, dir, pid: child.pid! };
}


/** A scratch database on the server DATABASE_URL names (dropped at the end), or SQLite in a temp dir. */
export async function scratchDatabase(prefix: string): Promise<{ url?: string; drop(): Promise<void> }> {
  const given = process.env['DATABASE_URL'];
  if (!given?.startsWith('postgres')) return { drop: async () => {} };
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: given });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(given);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => { await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); await admin.end(); } };
}


/**
 * CPU time (user + system, ms) used so far by `pid` and every process below it, from /proc (Linux;
 * 0 elsewhere). Differences over a run give CPU per call, a figure that a busy shared machine
 * distorts far less than calls/s.
 */
export function treeCpuMs(pid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  let dirs: string[];
  try {
    dirs = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const d of dirs) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ');
      stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    ticks += stats.get(p)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === p) todo.push(child);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}
