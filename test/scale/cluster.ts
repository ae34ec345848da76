import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_REDIS_URL, HAPROXY_PATH } from '../components.js';
import { freePort } from '../helpers/free-port.js';
import { serveCli, type ServeRun } from '../helpers/serve-cli.js';
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
