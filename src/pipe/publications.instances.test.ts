import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { needs } from '../../test/helpers/needs.js';
import { cliArgs } from '../../test/helpers/run-cli.js';
import { ADMIN_PASSWORD, LOOPBACK } from '../../test/helpers/boot-context.js';
import { fixtureConfig } from '../../test/helpers/fixtures.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createTestEndpoint, type EndpointConnection, type TestEndpoint } from '../../test/helpers/pipe-endpoint.js';
import { createFakeGateway, createPlatformDir, startTestPlatform, type TestPlatform } from '../../test/helpers/pipe-platform.js';

/**
 * Several platform instances on one database (SQLite file or PostgreSQL, the same code): each
 * publication is run by the one instance holding its lease; the others stand by and take over.
 */

// Long enough that a loaded CI machine (two cores, load ~10) does not stall a holder past its lease
// between two renewals, which made a relay drop and reconnect in the middle of a test (900 ms did).
const TTL_MS = 2500;
// Shared by the instances, as in a real deployment: the same master key reads the token secret.
const SHARED = { MCPS_MASTER_KEY: randomBytes(32).toString('base64'), SECRET_KEY: randomBytes(32).toString('base64url'), MCPS_PUBLICATION_LEASE_TTL_MS: String(TTL_MS) };

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
}, 60_000);

async function place(kind?: 'sqlite' | 'postgres') {
  const p = await createPlatformDir(kind);
  cleanup.push(() => p.dispose());
  const ep: TestEndpoint = await createTestEndpoint();
  cleanup.push(() => ep.close());
  const gateway = createFakeGateway();
  const start = async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-inst-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const platform = await startTestPlatform(p.database, dir, gateway.openSession, SHARED);
    let closed: Promise<void> | null = null;
    const close = () => (closed ??= platform.close());
    cleanup.push(close);
    return { ...platform, close, auth: await platform.login() };
  };
  return { database: p.database, ep, start };
}

type Instance = TestPlatform & { auth: { authorization: string } };

async function publish(on: Instance, ep: TestEndpoint): Promise<string> {
  const fx = fixtureConfig('calc', 'tiny');
  const tool = await on.app.inject({ method: 'POST', url: '/api/v1/tools', headers: on.auth, payload: { name: 'calc', transport: 'stdio', command: fx.command, args: fx.args } });
  expect(tool.statusCode).toBe(201);
  const res = await on.app.inject({ method: 'POST', url: '/api/v1/tools/calc/publish', headers: on.auth, payload: { endpoint: ep.url() } });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string }>().id;
}

const view = async (on: Instance, id: string) => (await on.app.inject({ method: 'GET', url: `/api/v1/publications/${id}`, headers: on.auth })).json();
const open = (ep: TestEndpoint) => ep.connections.filter((c) => c.ws.readyState === c.ws.OPEN);
const closedConn = (c: EndpointConnection, timeoutMs = 10_000) => waitFor(() => c.ws.readyState === c.ws.CLOSED, timeoutMs, 'the connection to close');

describe('two instances on one database', () => {
  it('only the lease holder connects; the other shows it on standby and which instance runs it', async () => {
    const p = await place();
    const one = await p.start();
    const two = await p.start();
    const id = await publish(one, p.ep);
    const conn = await p.ep.connection(1);
    expect((await conn.initialize()).result.serverInfo.name).toBe('calc');

    // The second instance learns of the publication and tries its lease, several times: it stays on standby.
    for (let i = 0; i < 3; i++) await two.ctx.pipes.reconcile();
    expect(await view(two, id)).toMatchObject({ running_on: one.ctx.instanceId, standby: true, status: null });
    const toolStatus = (await two.app.inject({ method: 'GET', url: '/api/v1/tools/calc/status', headers: two.auth })).json();
    expect(toolStatus.publication).toMatchObject({ running_on: one.ctx.instanceId, standby: true, status: null });
    expect(await view(one, id)).toMatchObject({ running_on: one.ctx.instanceId, standby: false, status: { state: 'connected', connects: 1 } });
    expect(one.ctx.instanceId).not.toBe(two.ctx.instanceId);
    expect(one.ctx.instanceId).toContain(`:${process.pid}:`);
    expect(p.ep.connections).toHaveLength(1);
    expect(open(p.ep)).toHaveLength(1);
  });

  it('closing the holder releases the lease: the standby takes over, and still one connection is open', async () => {
    const p = await place();
    const one = await p.start();
    const id = await publish(one, p.ep);
    const first = await p.ep.connection(1);
    const two = await p.start();
    expect(await view(two, id)).toMatchObject({ running_on: one.ctx.instanceId, standby: true });

    await one.close();
    await closedConn(first);
    const second = await p.ep.connection(2, 10_000);
    expect((await second.initialize()).result.serverInfo.name).toBe('calc');
    expect(await view(two, id)).toMatchObject({ running_on: two.ctx.instanceId, standby: false, status: { state: 'connected' } });
    expect(open(p.ep)).toEqual([second]);
  });

  it('the published server runs where its publication runs: started by the holder, and by the standby that takes over', async () => {
    const p = await place();
    const one = await p.start();
    await publish(one, p.ep);
    const two = await p.start();
    const state = async (on: Instance) => (await on.app.inject({ method: 'GET', url: '/api/v1/tools/calc/status', headers: on.auth })).json().state as string;
    await waitFor(async () => (await state(one)) === 'running', 10_000, 'calc running on the holder');
    expect(await state(two)).toBe('stopped');

    await one.close();
    await p.ep.connection(2, 10_000);
    await waitFor(async () => (await state(two)) === 'running', 10_000, 'calc running on the instance that took over');
    // The audit row is written just after the start settles, so it may trail the status by a moment.
    const autostarts = () => two.ctx.db.selectFrom('operation_logs').select(['outcome', 'details']).where('action', '=', 'server.autostart').execute();
    await waitFor(async () => (await autostarts()).length >= 2, 10_000, 'the second server.autostart audit row');
    const rows = await autostarts();
    expect(rows).toEqual([
      { outcome: 'success', details: JSON.stringify({ reason: 'publication' }) },
      { outcome: 'success', details: JSON.stringify({ reason: 'publication' }) },
    ]);
  });

  it('a holder whose lease was taken (it stopped renewing in time) disconnects at once; one instance runs it', async () => {
    const p = await place();
    const one = await p.start();
    const id = await publish(one, p.ep);
    const first = await p.ep.connection(1);
    const two = await p.start();
    // As if the holder had hung past its lease: the lease is expired and taken by someone else.
    await two.ctx.db.updateTable('leases').set({ holder: 'gone:1:dead', expires_at: 0 }).where('name', '=', `publication:${id}`).execute();
    await one.ctx.pipes.reconcile();
    await closedConn(first);
    const second = await p.ep.connection(2, 10_000);
    await waitFor(async () => (await view(one, id)).running_on !== null, 10_000, 'a new holder');
    const holder = (await view(one, id)).running_on as string;
    expect([one.ctx.instanceId, two.ctx.instanceId]).toContain(holder);
    expect(open(p.ep)).toEqual([second]);
  });

  it('deleting the publication on the standby stops the relay on the holder, and nobody reconnects', async () => {
    const p = await place();
    const one = await p.start();
    const id = await publish(one, p.ep);
    const conn = await p.ep.connection(1);
    const two = await p.start();
    expect((await two.app.inject({ method: 'DELETE', url: `/api/v1/publications/${id}`, headers: two.auth })).statusCode).toBe(204);
    await closedConn(conn);
    await one.ctx.pipes.reconcile();
    await two.ctx.pipes.reconcile();
    expect(await one.ctx.db.selectFrom('leases').selectAll().execute()).toEqual([]);
    expect(p.ep.connections).toHaveLength(1);
    // The token's secret went with the publication, once: the other instance's sweep finds it gone
    // and leaves no failed `secret.delete` in the audit log.
    await one.ctx.pipes.publications.sweep();
    await two.ctx.pipes.publications.sweep();
    const deletes = await one.ctx.db.selectFrom('operation_logs').select(['outcome', 'target_id']).where('action', '=', 'secret.delete').execute();
    expect(deletes).toEqual([{ outcome: 'success', target_id: expect.stringMatching(/^pipe-endpoint-/) }]);
  });

  it('disabling on the standby disconnects the holder; enabling again connects one instance', async () => {
    const p = await place();
    const one = await p.start();
    const id = await publish(one, p.ep);
    const first = await p.ep.connection(1);
    const two = await p.start();
    const patch = (enabled: boolean) => two.app.inject({ method: 'PATCH', url: `/api/v1/publications/${id}`, headers: two.auth, payload: { enabled } });
    expect((await patch(false)).json()).toMatchObject({ enabled: false, running_on: null, standby: false, status: null });
    await closedConn(first);
    await one.ctx.pipes.reconcile();
    expect(await view(one, id)).toMatchObject({ enabled: false, running_on: null, status: null });

    expect((await patch(true)).statusCode).toBe(200);
    const second = await p.ep.connection(2, 10_000);
    await one.ctx.pipes.reconcile();
    await two.ctx.pipes.reconcile();
    expect(open(p.ep)).toEqual([second]);
    expect(p.ep.connections).toHaveLength(2);
  });
});

describe('an instance that dies', () => {
  it('a holder killed with SIGKILL (no release) is replaced by the standby once its lease expires', { timeout: 90_000 }, async () => {
    const p = await place();
    // The publication is created by a first instance that then stops, so the process below takes it at start.
    const setup = await p.start();
    const id = await publish(setup, p.ep);
    await p.ep.connection(1);
    await setup.close();

    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-inst-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const env = { ...SHARED, PATH: process.env['PATH'] ?? '', ENVIRONMENT: 'test', PORT: '0', DATABASE_URL: p.database.url, MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, MCPS_OUTBOUND_ALLOW: LOOPBACK, LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, cliArgs(['serve']), { cwd: dir, env, detached: true, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    cleanup.push(async () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    });
    const held = await p.ep.connection(2, 30_000);

    const two = await p.start();
    expect(await view(two, id)).toMatchObject({ running_on: expect.stringContaining(`:${child.pid}:`), standby: true });
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    await closedConn(held);
    const taken = await p.ep.connection(3, 20_000);
    expect((await taken.initialize()).result.serverInfo.name).toBe('calc');
    expect(await view(two, id)).toMatchObject({ running_on: two.ctx.instanceId, standby: false });
    expect(open(p.ep)).toEqual([taken]);
  });
});

// A database that stops answering the holder's renewals: another session's lock on the leases table (PostgreSQL;
// a locked SQLite file blocks the whole process instead, timers included).
describe.skipIf(!needs('postgres'))('a holder that cannot renew its lease (PostgreSQL)', () => {
  it('disconnects when its lease runs out, before any other instance may take over', { timeout: 60_000 }, async () => {
    const p = await place('postgres');
    const one = await p.start();
    const id = await publish(one, p.ep);
    const first = await p.ep.connection(1);
    const locker = new pg.Client({ connectionString: p.database.url });
    await locker.connect();
    try {
      await locker.query('begin');
      // Writes to the table wait (the renewal hangs); reads go on.
      await locker.query('lock table leases in share mode');
      // Expected within the TTL (2.5 s) plus the close handshake (terminated after 3 s). CI once ran out
      // of 10 s here on PostgreSQL (not reproduced since, alone or beside busy loops): a longer wait, and on
      // a timeout the holder's own view of the publication, so a hang shows where it stopped.
      await closedConn(first, 20_000).catch(async (err: Error) => {
        throw new Error(`${err.message}; the holder then showed ${JSON.stringify(await view(one, id))}`);
      });
      expect(await view(one, id)).toMatchObject({ running_on: null, standby: true, status: null });
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    // Once the database answers again, the publication runs again (one connection).
    const second = await p.ep.connection(2, 10_000);
    expect(open(p.ep)).toEqual([second]);
  });
});
