import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../helpers/needs.js';
import { openSse } from '../helpers/sse-client.js';
import { alive, type Cluster, type Instance, instanceOf, mcpClient, startBalancer, startCluster } from './cluster.js';

/**
 * The scale-out shape (issue 18, "Several instances"): three real `mcps serve` processes on one
 * PostgreSQL and one Redis, behind a real HAProxy on loopback balancing round-robin, with the
 * configuration docs/DEPLOYMENT.md gives. Each test prints its figure last ([scale] lines).
 */
const available = (['postgres', 'redis', 'haproxy'] as const).map((c) => needs(c)).every(Boolean);

let cluster: Cluster;
let lb: Cluster['lb'];
let headers: Cluster['headers'];

const byPid = (holder: string | undefined) => instanceOf(cluster.instances, holder);

async function leaseHolders(): Promise<Record<string, string>> {
  const r = await cluster.pg.query<{ name: string; holder: string }>('select name, holder from leases where expires_at > (extract(epoch from clock_timestamp()) * 1000)');
  return Object.fromEntries(r.rows.map((x) => [x.name, x.holder]));
}

/** An SDK session through the balancer; every request of every session goes into `trace` (shown on failure). */
const trace: string[] = [];
const session = () => mcpClient(`${lb.url}/mcp`, cluster.apiKey, trace);

describe.skipIf(!available)('three instances on one PostgreSQL and one Redis, behind HAProxy', () => {
  beforeAll(async () => {
    cluster = await startCluster();
    ({ lb, headers } = cluster);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('the balancer spreads requests round-robin, and an MCP session stays on the instance that opened it', async () => {
    const seen: string[] = [];
    for (let k = 0; k < 6; k++) seen.push((await fetch(`${lb.url}/api/v1/system/info`, { headers })).headers.get('x-served-by') ?? '?');
    expect(new Set(seen)).toEqual(new Set(['i1', 'i2', 'i3']));

    const { client, servedBy } = await session();
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('mcps__alert_summary');
    for (let k = 0; k < 8; k++) {
      const r = await client.callTool({ name: 'mcps__alert_summary', arguments: {} }).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${trace.join('\n')}\n${lb.log()}`);
      });
      expect(r.isError ?? false).toBe(false);
    }
    await client.close();
    // initialize + initialized + list + 8 calls (+ the GET stream, + DELETE at close): one instance.
    expect(servedBy.length).toBeGreaterThanOrEqual(11);
    expect(new Set(servedBy.filter((s) => s !== '?')).size).toBe(1);
    console.log(`[scale] with stick on Mcp-Session-Id: ${servedBy.length} requests of one session, all on ${servedBy[0]}; plain requests round-robin over ${[...new Set(seen)].join(',')}`);
  });

  it('without the affinity, the requests of a session that land on another instance fail (why HAProxy sticks)', async () => {
    const plain = await startBalancer(cluster.instances, false);
    try {
      const mcpHeaders = { authorization: `Bearer ${cluster.apiKey}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const init = await fetch(`${plain.url}/mcp`, {
        method: 'POST',
        headers: mcpHeaders,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
      expect(init.status).toBe(200);
      const sid = init.headers.get('mcp-session-id')!;
      const statuses: number[] = [];
      for (let k = 0; k < 9; k++) {
        const r = await fetch(`${plain.url}/mcp`, { method: 'POST', headers: { ...mcpHeaders, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' }, body: JSON.stringify({ jsonrpc: '2.0', id: k + 2, method: 'tools/list' }) });
        statuses.push(r.status);
        await r.arrayBuffer();
      }
      const failed = statuses.filter((s) => s !== 200).length;
      // Round-robin over three: two requests in three reach an instance that does not know the session.
      expect(failed).toBe(6);
      expect(statuses.filter((s) => s !== 200).every((s) => s === 404)).toBe(true);
      console.log(`[scale] without affinity: ${failed} of ${statuses.length} requests of one session failed (404 unknown session); with it: 0`);
    } finally {
      await plain.stop();
    }
  });

  it('a live log stream on one instance shows rows written on another at once (Redis pub/sub), not at the 5 s poll', async () => {
    const [a, b] = cluster.instances as [Instance, Instance];
    const stream = await openSse(`http://127.0.0.1:${a.port}/api/v1/logs/stream?kind=operations`, headers);
    expect(stream.status).toBe(200);
    const delays: number[] = [];
    try {
      for (let k = 0; k < 5; k++) {
        const name = `LIVE_${k}`;
        const r = await fetch(`http://127.0.0.1:${b.port}/api/v1/secrets`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name, value: 'v' }) });
        expect(r.status).toBe(201);
        const acked = performance.now();
        // Without the relay, a row written on b reaches a's stream at its next poll (every 5 s):
        // three of these five would wait past 2 s.
        await stream.next((e) => e.data.includes(name), 2000);
        delays.push(performance.now() - acked);
        await new Promise((r2) => setTimeout(r2, 1100));
      }
    } finally {
      stream.close();
    }
    console.log(`[scale] live log stream on ${a.name}, rows written on ${b.name}: delays ${delays.map((d) => Math.round(d)).join(', ')} ms`);
  });

  it('each scheduler lease has one holder; kill -9 of the holder: a standby takes over, no acknowledged write is lost, clients reconnect', { timeout: 180_000 }, async () => {
    const before = await leaseHolders();
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['alerts-and-notifications', 'monitors.scheduler']));
    for (const holder of Object.values(before)) expect(byPid(holder), holder).toBeDefined();
    const victim = byPid(before['alerts-and-notifications'])!;

    // One MCP session per instance (round-robin hands the three initializes to the three instances).
    const sessions = [await session(), await session(), await session()];
    const onVictim = sessions.find((s) => s.servedBy[0] === victim.name)!;
    expect(onVictim).toBeDefined();

    // Writes go on through the balancer while the instance dies: every 2xx must stay.
    const acked: string[] = [];
    let failedWrites = 0;
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const name = `W_${n}`;
        const r = await fetch(`${lb.url}/api/v1/secrets`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name, value: `v-${n}` }) }).catch(() => null);
        if (r && r.status >= 200 && r.status < 300) acked.push(name);
        else failedWrites++;
        await r?.arrayBuffer();
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));

    const killedAt = performance.now();
    victim.run.child.kill('SIGKILL');
    await victim.run.exited;
    const takeover: Record<string, number> = {};
    const watched = Object.keys(before).filter((n) => byPid(before[n]) === victim);
    while (Object.keys(takeover).length < watched.length && performance.now() - killedAt < 60_000) {
      const now = await leaseHolders();
      for (const n of watched) {
        const h = byPid(now[n]);
        if (takeover[n] === undefined && h && h !== victim && alive(h)) takeover[n] = (performance.now() - killedAt) / 1000;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));
    writing = false;
    await writer;

    // Every lease the dead instance held went to a live one: the alerts lease within its TTL (3 s) and
    // a renewal period, the monitors lease within its fixed 30 s TTL and a renewal period.
    expect(Object.keys(takeover).sort()).toEqual(watched.sort());
    expect(takeover['alerts-and-notifications']).toBeLessThan(3 + 1 + 2);
    if (takeover['monitors.scheduler'] !== undefined) expect(takeover['monitors.scheduler']).toBeLessThan(30 + 10 + 5);

    // Nothing acknowledged was lost: each secret that got a 2xx is in the database, once.
    const rows = (await cluster.pg.query<{ name: string }>("select name from secrets where name like 'W\\_%'")).rows.map((r) => r.name);
    expect(rows.length).toBe(new Set(rows).size);
    const names = new Set(rows);
    const lost = acked.filter((n) => !names.has(n));
    expect(acked.length).toBeGreaterThan(10);
    expect(lost).toEqual([]);

    // The session on the dead instance is gone; the client opens a new one, which lands on a live instance.
    await expect(onVictim.client.callTool({ name: 'mcps__alert_summary', arguments: {} })).rejects.toThrow();
    const again = await session().catch((err: unknown) => {
      throw new Error(`a new session after the kill failed: ${String(err)}`);
    });
    expect((await again.client.callTool({ name: 'mcps__alert_summary', arguments: {} })).isError ?? false).toBe(false);
    expect(again.servedBy[0]).not.toBe(victim.name);
    // The sessions on the other instances never noticed.
    for (const s of sessions.filter((x) => x !== onVictim)) {
      const r = await s.client.callTool({ name: 'mcps__alert_summary', arguments: {} }).catch((err: unknown) => ({ isError: `${String(err)} (session on ${s.servedBy.join(',')})` }));
      expect(r.isError ?? false).toBe(false);
    }
    for (const s of [...sessions.filter((x) => x !== onVictim), again]) await s.client.close();

    // And one of them reads back through the balancer, whichever instance answers.
    const one = await fetch(`${lb.url}/api/v1/secrets/${acked.at(-1)}`, { headers });
    expect(one.status).toBe(200);

    const figures = Object.entries(takeover).map(([n, s]) => `${n} ${s.toFixed(1)} s`).join(', ');
    console.log(`[scale] kill -9 of ${victim.name}: takeover ${figures}; writes acked ${acked.length}, lost ${lost.length}, refused during the kill ${failedWrites}`);
  });
});
