import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pg from 'pg';
import { DEFAULT_REDIS_URL, HAPROXY_PATH } from '../components.js';
import { freePort } from '../helpers/free-port.js';
import { serveCli, type ServeRun } from '../helpers/serve-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { haproxyConfig } from './haproxy-config.js';

export const ADMIN_PASSWORD = 'cluster-admin-password-1';

export interface Instance {
  name: string;
  port: number;
  run: ServeRun;
  pid: number;
}

export interface Balancer {
  url: string;
  child: ChildProcess;
  /** What HAProxy wrote (servers going down and up). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Three (or `count`) real `mcps serve` processes on one database and one Redis, each with its own
 * DATA_DIR (as on separate machines) and the same keys, started at the same moment.
 */
export async function startInstances(databaseUrl: string, count = 3, extraEnv: Record<string, string> = {}): Promise<{ instances: Instance[]; dispose(): Promise<void> }> {
  const root = mkdtempSync(path.join(tmpdir(), 'mcps-cluster-'));
  const shared = {
    ENVIRONMENT: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env['TEST_REDIS_URL'] ?? DEFAULT_REDIS_URL,
    MCPS_JOBS_QUEUE_PREFIX: `mcps-scale-${randomBytes(4).toString('hex')}`,
    SECRET_KEY: randomBytes(48).toString('base64'),
    MCPS_MASTER_KEY: randomBytes(32).toString('base64'),
    MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BACKUP_SCHEDULE: 'off',
    MCPS_ALERTS_LEASE_TTL_MS: '3000',
    MCPS_PUBLICATION_LEASE_TTL_MS: '3000',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const name = `i${i + 1}`;
    const dir = path.join(root, name);
    const port = await freePort();
    const run = serveCli({ cwd: root, port, env: { ...shared, DATA_DIR: dir, LOG_DIR: path.join(dir, 'logs') } });
    instances.push({ name, port, run, pid: run.child.pid! });
  }
  const dispose = async () => {
    for (const i of instances) if (i.run.child.exitCode === null && i.run.child.signalCode === null) i.run.child.kill('SIGTERM');
    await Promise.all(instances.map((i) => Promise.race([i.run.exited, new Promise((r) => setTimeout(r, 20_000))])));
    for (const i of instances) if (i.run.child.exitCode === null && i.run.child.signalCode === null) i.run.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(instances.map((i) => i.run.ready(120_000)));
  } catch (err) {
    await dispose();
    throw err;
  }
  return { instances, dispose };
}

/** A real HAProxy on loopback in front of the instances (foreground, its own config file). */
export async function startBalancer(instances: Instance[], sticky = true): Promise<Balancer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-haproxy-'));
  const port = await freePort();
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig({ port, servers: instances.map((i) => ({ name: i.name, port: i.port })), sticky }));
  const child = spawn(HAPROXY_PATH, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  // Up once every instance passed its health check (each answers through the balancer).
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${err}`);
    const seen = new Set<string>();
    for (let k = 0; k < instances.length * 2; k++) {
      const by = await fetch(`${url}/health`).then((r) => r.headers.get('x-served-by'), () => null);
      if (by) seen.add(by);
    }
    if (seen.size === instances.length) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not reach every instance (${[...seen].join(',')}): ${err}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    log: () => err,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('close', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Everything the scale tests run against: a database, its instances, the balancer and an admin's credentials. */
export interface Cluster {
  database: TestDatabase;
  /** A direct connection to the cluster's database (lease holders, rows written). */
  pg: pg.Client;
  instances: Instance[];
  lb: Balancer;
  /** An admin's bearer token, for the REST API. */
  headers: { authorization: string };
  /** An admin gateway API key, for MCP sessions. */
  apiKey: string;
  stop(): Promise<void>;
}

/**
 * A fresh PostgreSQL schema, `startInstances` on it (started at the same moment: they migrate the empty
 * database at once), HAProxy in front, the admin signed in through it and an API key made.
 */
export async function startCluster(extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const database = await createTestDatabase('postgres');
  const client = new pg.Client({ connectionString: database.url });
  let started: Awaited<ReturnType<typeof startInstances>> | undefined;
  let lb: Balancer | undefined;
  const stop = async () => {
    await lb?.stop();
    await started?.dispose();
    await client.end().catch(() => {});
    await database.drop();
  };
  try {
    await client.connect();
    started = await startInstances(database.url, 3, extraEnv);
    lb = await startBalancer(started.instances);
    const { headers, apiKey } = await signIn(lb.url);
    return { database, pg: client, instances: started.instances, lb, headers, apiKey, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function signIn(url: string): Promise<{ headers: { authorization: string }; apiKey: string }> {
  const json = { 'content-type': 'application/json' };
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  if (login.status !== 200) throw new Error(`admin login through the balancer: ${login.status} ${await login.text()}`);
  const headers = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
  const key = await fetch(`${url}/api/v1/gateway/api-keys`, { method: 'POST', headers: { ...headers, ...json }, body: JSON.stringify({ name: 'scale', role: 'admin' }) });
  if (key.status !== 201) throw new Error(`API key through the balancer: ${key.status} ${await key.text()}`);
  return { headers, apiKey: ((await key.json()) as { key: string }).key };
}

export const alive = (i: Instance) => i.run.child.exitCode === null && i.run.child.signalCode === null;

/** The instance an instance id (`host:pid:random`, a lease holder or a server status) names. */
export const instanceOf = (instances: Instance[], holder: string | null | undefined) => instances.find((i) => holder?.split(':')[1] === String(i.pid));

/**
 * An SDK client on the MCP endpoint `url` with the API key, remembering which instance answered each
 * of its requests (X-Served-By, '?' straight to an instance); `trace` also gets one line per request.
 */
export async function mcpClient(url: string, apiKey: string, trace?: string[]): Promise<{ client: Client; servedBy: string[] }> {
  const servedBy: string[] = [];
  const client = new Client({ name: 'scale-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        const by = res.headers.get('x-served-by');
        servedBy.push(by ?? '?');
        const sid = new Headers(init?.headers).get('mcp-session-id');
        trace?.push(`${init?.method ?? 'GET'} sid=${sid?.slice(0, 6) ?? '-'} -> ${res.status} ${by} set=${res.headers.get('mcp-session-id')?.slice(0, 6) ?? '-'}`);
        return res;
      },
    }),
  );
  return { client, servedBy };
}
