import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestContext, loginHeaders, type BootedContext } from '../../test/helpers/boot-context.js';
import { fixturePath } from '../../test/helpers/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { buildApp } from '../app.js';
import { createForwardSigner, FORWARDED_HEADER } from './forward-signature.js';

/**
 * Two instances in one process, on one database, each listening on loopback (as `mcps serve`, armed
 * for several instances): a server of placement 'one' runs on the lease holder only; requests for it
 * reaching the other instance are forwarded, and a forwarded request whose signature does not hold is
 * refused.
 */
interface Node {
  booted: BootedContext;
  app: FastifyInstance;
  url: string;
  dir: string;
}

const SHARED_SECRET_KEY = 'a-cluster-secret-key-shared-by-both-instances-0123456789';
let database: TestDatabase;
const nodes: Node[] = [];
let auth: { authorization: string };

async function startNode(url = database.url, ttlMs = 1500, beforeJoin?: (booted: BootedContext, address: string) => Promise<void>): Promise<Node> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-fwd-'));
  const booted = await bootTestContext(url, dir, { env: { MCPS_SERVERS_LEASE_TTL_MS: String(ttlMs), SECRET_KEY: SHARED_SECRET_KEY } });
  const app = await buildApp(booted.ctx);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  await beforeJoin?.(booted, address);
  booted.ctx.cluster.arm();
  await booted.ctx.servers.boot();
  await booted.ctx.cluster.start(address);
  return { booted, app, url: address, dir };
}

beforeAll(async () => {
  database = await createTestDatabase();
  nodes.push(await startNode());
  nodes.push(await startNode());
  auth = await loginHeaders(nodes[0]!.app);
}, 60_000);

afterAll(async () => {
  for (const n of nodes.reverse()) {
    n.app.server.closeAllConnections();
    await n.app.close();
    await n.booted.ctx.cluster.stop();
    await n.booted.ctx.close();
    await n.booted.logger.close();
    rmSync(n.dir, { recursive: true, force: true });
  }
  await database.drop();
}, 60_000);

const json = { 'content-type': 'application/json' };

describe('forwarding between instances', () => {
  it('runs a server of placement one on the lease holder only; the other instance forwards calls, status and stderr to it', { timeout: 60_000 }, async () => {
    const [holder, other] = nodes[0]!.booted.ctx.cluster.lease.holds() ? [nodes[0]!, nodes[1]!] : [nodes[1]!, nodes[0]!];
    expect(other.booted.ctx.cluster.lease.holds()).toBe(false);
    const created = await fetch(`${other.url}/api/v1/tools`, {
      method: 'POST',
      headers: { ...auth, ...json },
      body: JSON.stringify({ name: 'tiny1', command: process.execPath, args: [fixturePath('tiny')] }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { placement: string }).placement).toBe('one');

    // Started through the instance that does not hold the lease: it runs on the holder.
    const started = await fetch(`${other.url}/api/v1/tools/tiny1/start`, { method: 'POST', headers: auth });
    expect(started.status, await started.clone().text()).toBe(200);
    const status = (await started.json()) as { state: string; instance: string; pid: number };
    expect(status.state).toBe('running');
    expect(status.instance).toBe(holder.booted.ctx.instanceId);
    expect(holder.booted.ctx.servers.supervisor.status('tiny1').state).toBe('running');
    expect(other.booted.ctx.servers.supervisor.status('tiny1').state).toBe('stopped');

    // The tool tester through the other instance reaches the running server.
    const call = await fetch(`${other.url}/api/v1/tools/tiny1/call`, { method: 'POST', headers: { ...auth, ...json }, body: JSON.stringify({ tool: 'echo', arguments: { message: 'through' } }) });
    expect(call.status).toBe(200);
    expect(JSON.stringify(await call.json())).toContain('through');

    // The list on the other instance shows it running on the holder (from the holder's heartbeat).
    await waitFor(async () => {
      const list = (await (await fetch(`${other.url}/api/v1/tools`, { headers: auth })).json()) as { items: { name: string; state: string; instance: string }[] };
      const row = list.items.find((s) => s.name === 'tiny1');
      return row?.state === 'running' && row.instance === holder.booted.ctx.instanceId;
    }, 10_000, 'the list on the other instance to show the server running on the holder');

    // An MCP session on /mcp/tiny1 opened through the other instance.
    const mcp = { ...auth, ...json, accept: 'application/json, text/event-stream' };
    const init = await fetch(`${other.url}/mcp/tiny1`, {
      method: 'POST',
      headers: mcp,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(init.status).toBe(200);
    const sid = init.headers.get('mcp-session-id')!;
    await init.text();
    const called = await fetch(`${other.url}/mcp/tiny1`, {
      method: 'POST',
      headers: { ...mcp, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'over-mcp' } } }),
    });
    expect(called.status).toBe(200);
    expect(await called.text()).toContain('over-mcp');
  });

  it('refuses a forwarded request whose signature does not hold, and a valid one still needs the caller\'s credentials', async () => {
    const target = nodes[1]!;
    const url = '/api/v1/tools/tiny1/status';
    const ours = createForwardSigner(target.booted.config.secretKey);
    const claim = { from: 'evil', ip: '203.0.113.9', at: Date.now() };
    const attempts: Record<string, string> = {
      garbage: 'v1.abc.def',
      'another key': createForwardSigner('not-the-cluster-key-at-all-0123456789').sign('GET', url, claim),
      'another URL': ours.sign('GET', '/api/v1/tools/tiny1/stop', claim),
      'another method': ours.sign('POST', url, claim),
      expired: ours.sign('GET', url, { ...claim, at: Date.now() - 120_000 }),
    };
    for (const [what, header] of Object.entries(attempts)) {
      const r = await fetch(`${target.url}${url}`, { headers: { ...auth, [FORWARDED_HEADER]: header } });
      expect(r.status, what).toBe(403);
      expect(await r.text(), what).toContain('forwarded request refused');
    }
    // A correct signature is no credential: without the caller's own, 401.
    const anonymous = await fetch(`${target.url}${url}`, { headers: { [FORWARDED_HEADER]: ours.sign('GET', url, claim) } });
    expect(anonymous.status).toBe(401);
    // With both, it is served where it landed (never forwarded again).
    const served = await fetch(`${target.url}${url}`, { headers: { ...auth, [FORWARDED_HEADER]: ours.sign('GET', url, claim) } });
    expect(served.status).toBe(200);
  });

  it.each([
    ['takes at once the lease of its dead predecessor (same host and URL, pid gone)', true],
    ['leaves alone the lease of a dead holder at another URL (another instance: it expires)', false],
  ])('a single instance restarted after a crash %s', { timeout: 60_000 }, async (_what, sameUrl) => {
    const own = await createTestDatabase();
    const host = nodes[0]!.booted.ctx.instanceId.split(':')[0]!;
    const dead = `${host}:999999:deadbeef`;
    // The lease and the registry row a crashed run left: its pid gone; the TTL a minute.
    const node = await startNode(own.url, 60_000, async (booted, address) => {
      await booted.ctx.db.insertInto('leases').values({ name: 'managed-servers', holder: dead, acquired_at: Date.now(), expires_at: Date.now() + 60_000 }).execute();
      await booted.ctx.db.insertInto('instances').values({ id: dead, base_url: sameUrl ? address : 'http://127.0.0.1:9', started_at: Date.now(), heartbeat_at: Date.now(), servers: '{}' }).execute();
    });
    try {
      expect(node.booted.ctx.cluster.lease.holds()).toBe(sameUrl);
    } finally {
      node.app.server.closeAllConnections();
      await node.app.close();
      await node.booted.ctx.cluster.stop();
      await node.booted.ctx.close();
      await node.booted.logger.close();
      rmSync(node.dir, { recursive: true, force: true });
      await own.drop();
    }
  });

  it('the holder stopping hands the servers of placement one to the other instance', { timeout: 60_000 }, async () => {
    const holder = nodes.find((n) => n.booted.ctx.cluster.lease.holds())!;
    const other = nodes.find((n) => n !== holder)!;
    const t0 = performance.now();
    await holder.booted.ctx.cluster.stop();
    expect(holder.booted.ctx.servers.supervisor.status('tiny1').state).toBe('stopped');
    await waitFor(() => other.booted.ctx.servers.supervisor.status('tiny1').state === 'running', 20_000, 'the other instance to run the server');
    const ms = performance.now() - t0;
    const call = await fetch(`${other.url}/api/v1/tools/tiny1/call`, { method: 'POST', headers: { ...auth, ...json }, body: JSON.stringify({ tool: 'echo', arguments: { message: 'after' } }) });
    expect(call.status).toBe(200);
    console.log(`[cluster] a clean stop of the holder: the other instance runs the server after ${Math.round(ms)} ms (lease TTL 1.5 s, looked at every 0.5 s)`);
  });
});
