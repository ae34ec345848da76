import { accessSync, constants, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { buildTree } from './build-tree.js';
import { ALERTMANAGER_PATH, type Availability, CHROMIUM_PATH, DEFAULT_PG_URL, DEFAULT_REDIS_URL, HAPROXY_PATH } from './components.js';

async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: process.env['TEST_PG_URL'] ?? DEFAULT_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function probeRedis(): Promise<boolean> {
  const url = new URL(process.env['TEST_REDIS_URL'] ?? DEFAULT_REDIS_URL);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: url.hostname, port: Number(url.port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

function probeExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Probes PostgreSQL, Redis, Chromium and Alertmanager once (suites that need a missing one skip with one printed line; under
 * CI=true they fail instead, see test/helpers/needs.ts) and builds the sources child processes run.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const [postgres, redis, builtTree] = await Promise.all([probePostgres(), probeRedis(), buildTree()]);
  const components: Availability = { postgres, redis, chromium: probeExecutable(CHROMIUM_PATH), alertmanager: probeExecutable(ALERTMANAGER_PATH), haproxy: probeExecutable(HAPROXY_PATH) };
  const missing = Object.entries(components).filter(([, ok]) => !ok).map(([name]) => name);
  if (missing.length > 0) {
    const how = process.env['CI'] === 'true' ? 'CI=true: suites that need them will FAIL' : 'suites that need them are skipped and listed at the end';
    process.stdout.write(`components missing: ${missing.join(', ')} (${how})\n`);
  }
  if (process.env['TEST_DATABASE_URL']?.startsWith('postgres') && !components.postgres) {
    throw new Error(`TEST_DATABASE_URL=${process.env['TEST_DATABASE_URL']} but PostgreSQL is not reachable`);
  }
  project.provide('components', components);
  project.provide('builtTree', builtTree);
  return () => rmSync(builtTree, { recursive: true, force: true });
}
