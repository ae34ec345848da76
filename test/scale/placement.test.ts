import { readFileSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProcesses } from '../../src/servers/process/process-table.js';
import { fixturePath } from '../helpers/fixtures.js';
import { needs } from '../helpers/needs.js';
import { waitFor } from '../helpers/wait-for.js';
import { alive, type Cluster, type Instance, instanceOf, mcpClient, startCluster } from './cluster.js';

/**
 * Where managed servers run with several instances (issue 18, docs/DEPLOYMENT.md "Where managed
 * servers run"): three `mcps serve` on one PostgreSQL and one Redis behind HAProxy, the managed
 * servers lease at 3 s. Each test prints its figure last ([scale] lines).
 */
const available = (['postgres', 'redis', 'haproxy'] as const).map((c) => needs(c)).every(Boolean);
const TTL_S = 3;

let cluster: Cluster;
let lb: Cluster['lb'];
let headers: Cluster['headers'];

const byPid = (pid: number) => cluster.instances.find((i) => i.pid === pid);
const byId = (id: string | null | undefined) => instanceOf(cluster.instances, id);
const json = { 'content-type': 'application/json' };

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The live processes of managed server `name` (its marker argument), by the instance that is their parent. */
function processesOf(name: string): { total: number; on: string[] } {
  const procs = listProcesses().filter((p) => p.state !== 'Z' && cmdline(p.pid).includes(`--scale-server=${name}`));
  return { total: procs.length, on: procs.map((p) => byPid(p.ppid)?.name ?? `orphan(${p.ppid})`).sort() };
}

async function managedServersHolder(): Promise<Instance | undefined> {
  const r = await cluster.pg.query<{ holder: string }>("select holder from leases where name = 'managed-servers' and expires_at > (extract(epoch from clock_timestamp()) * 1000)");
  return byId(r.rows[0]?.holder);
}

async function register(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await fetch(`${lb.url}/api/v1/tools`, {
    method: 'POST',
    headers: { ...headers, ...json },
    body: JSON.stringify({ name, command: process.execPath, args: [fixturePath('tiny'), `--scale-server=${name}`], restart_policy: 'on-failure', ...extra }),
  });
  expect(r.status, await r.clone().text()).toBe(201);
}

/** An MCP session on `url` (through the balancer: remembers which instance answered each request). */
const session = (url: string) => mcpClient(url, cluster.apiKey);

async function echo(client: Client, tool: string, message: string): Promise<string> {
  const r = await client.callTool({ name: tool, arguments: { message } });
  return JSON.stringify(r.content);
}

describe.skipIf(!available)('where managed servers run, with three instances behind HAProxy', () => {
  beforeAll(async () => {
    cluster = await startCluster({ MCPS_SERVERS_LEASE_TTL_MS: String(TTL_S * 1000) });
    ({ lb, headers } = cluster);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('a server registered once runs on exactly one instance; sessions landing on any instance call it; every instance shows its status', { timeout: 120_000 }, async () => {
    await register('solo');
    const started = await fetch(`${lb.url}/api/v1/tools/solo/start`, { method: 'POST', headers });
    expect(started.status, await started.clone().text()).toBe(200);
    const holder = await managedServersHolder();
    expect(holder).toBeDefined();
    await waitFor(() => processesOf('solo').total === 1, 10_000, 'the server process');
    // It stays one: no other instance starts its own (three heartbeats and reconciliations).
    for (let k = 0; k < 6; k++) {
      await new Promise((r) => setTimeout(r, 500));
      expect(processesOf('solo')).toEqual({ total: 1, on: [holder!.name] });
    }

    // Status from every instance: running, on the holder, same pid.
    const pids = new Set<number>();
    for (const i of cluster.instances) {
      const s = (await (await fetch(`http://127.0.0.1:${i.port}/api/v1/tools/solo/status`, { headers })).json()) as { state: string; instance: string; pid: number };
      expect(s.state, i.name).toBe('running');
      expect(byId(s.instance)?.name, i.name).toBe(holder!.name);
      pids.add(s.pid);
      await waitFor(async () => {
        const list = (await (await fetch(`http://127.0.0.1:${i.port}/api/v1/tools`, { headers })).json()) as { items: { name: string; state: string; instance: string }[] };
        const row = list.items.find((x) => x.name === 'solo');
        return row?.state === 'running' && byId(row.instance) === holder;
      }, 10_000, `the list on ${i.name}`);
      // The tool tester and the stderr lines through each instance.
      const call = await fetch(`http://127.0.0.1:${i.port}/api/v1/tools/solo/call`, { method: 'POST', headers: { ...headers, ...json }, body: JSON.stringify({ tool: 'echo', arguments: { message: `tester-${i.name}` } }) });
      expect(call.status, i.name).toBe(200);
      expect(await call.text()).toContain(`tester-${i.name}`);
      expect((await fetch(`http://127.0.0.1:${i.port}/api/v1/tools/solo/stderr`, { headers })).status, i.name).toBe(200);
    }
    expect(pids.size).toBe(1);

    // Three sessions through the balancer: round-robin opens them on the three instances.
    const sessions = [await session(`${lb.url}/mcp/solo`), await session(`${lb.url}/mcp/solo`), await session(`${lb.url}/mcp/solo`)];
    expect(new Set(sessions.map((s) => s.servedBy[0]))).toEqual(new Set(['i1', 'i2', 'i3']));
    for (const [k, s] of sessions.entries()) expect(await echo(s.client, 'echo', `session-${k}`)).toContain(`session-${k}`);
    // What the extra hop costs: the same calls on a session opened on the holder and on one forwarded to it.
    const direct = await session(`http://127.0.0.1:${holder!.port}/mcp/solo`);
    const other = cluster.instances.find((i) => i !== holder)!;
    const hop = await session(`http://127.0.0.1:${other.port}/mcp/solo`);
    const median = async (c: Client) => {
      const ms: number[] = [];
      for (let k = 0; k < 40; k++) {
        const t = performance.now();
        await echo(c, 'echo', 'x');
        ms.push(performance.now() - t);
      }
      return ms.sort((a, b) => a - b)[20]!;
    };
    const [onHolder, forwarded] = [await median(direct.client), await median(hop.client)];
    await direct.client.close();
    await hop.client.close();
    // And the aggregated catalogue, namespaced.
    const agg = await session(`${lb.url}/mcp`);
    const names = (await agg.client.listTools()).tools.map((t) => t.name);
    const soloEcho = names.find((n) => n.startsWith('solo') && n.endsWith('echo'));
    expect(soloEcho, names.join(',')).toBeDefined();
    expect(await echo(agg.client, soloEcho!, 'aggregated')).toContain('aggregated');
    for (const s of [...sessions, agg]) await s.client.close();
    console.log(`[scale] placement one: 1 process of 'solo' (on ${holder!.name}, the managed-servers lease holder); sessions opened on ${sessions.map((s) => s.servedBy[0]).join(',')} all called it; status, list, tester and stderr alike from i1, i2, i3; a call's median ${onHolder.toFixed(1)} ms on the holder, ${forwarded.toFixed(1)} ms forwarded from ${other.name}`);
  });

  it('placement every runs one process per instance', { timeout: 60_000 }, async () => {
    await register('everywhere', { placement: 'every' });
    const started = await fetch(`${lb.url}/api/v1/tools/everywhere/start`, { method: 'POST', headers });
    expect(started.status, await started.clone().text()).toBe(200);
    // The instance that got the start runs it at once; the others follow the desired state at their next heartbeat.
    await waitFor(() => processesOf('everywhere').total === 3, 15_000, 'one process per instance');
    expect(processesOf('everywhere').on).toEqual(['i1', 'i2', 'i3']);
    for (const i of cluster.instances) {
      const s = await session(`http://127.0.0.1:${i.port}/mcp/everywhere`);
      expect(await echo(s.client, 'echo', i.name)).toContain(i.name);
      await s.client.close();
    }
    console.log(`[scale] placement every: ${processesOf('everywhere').total} processes, on ${processesOf('everywhere').on.join(',')}`);
  });

  it('kill -9 of the instance running it: another takes it over within the lease TTL, and calls work again', { timeout: 120_000 }, async () => {
    const victim = (await managedServersHolder())!;
    expect(processesOf('solo').on).toEqual([victim.name]);
    const before = await session(`${lb.url}/mcp/solo`);
    expect(await echo(before.client, 'echo', 'before')).toContain('before');

    const killedAt = performance.now();
    victim.run.child.kill('SIGKILL');
    await victim.run.exited;
    let processAt: number | null = null;
    let callAt: number | null = null;
    let failedCalls = 0;
    while ((processAt === null || callAt === null) && performance.now() - killedAt < 60_000) {
      const p = processesOf('solo');
      if (processAt === null && p.total === 1 && p.on[0] !== victim.name && !p.on[0]!.startsWith('orphan')) processAt = (performance.now() - killedAt) / 1000;
      if (callAt === null) {
        const r = await fetch(`${lb.url}/api/v1/tools/solo/call`, { method: 'POST', headers: { ...headers, ...json }, body: JSON.stringify({ tool: 'echo', arguments: { message: 'after' } }) }).catch(() => null);
        if (r?.status === 200) callAt = (performance.now() - killedAt) / 1000;
        else failedCalls++;
        await r?.arrayBuffer();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(processAt, 'a live instance runs the server again').not.toBeNull();
    expect(callAt, 'calls through the balancer work again').not.toBeNull();
    // The bound: the TTL, a look period (a third of it), and the start of the server.
    expect(processAt!).toBeLessThan(TTL_S + TTL_S / 3 + 3);
    expect(callAt!).toBeLessThan(TTL_S + TTL_S / 3 + 4);

    const heir = (await managedServersHolder())!;
    expect(heir).not.toBe(victim);
    expect(alive(heir)).toBe(true);
    // Still exactly one process of it; placement every: one per live instance.
    await new Promise((r) => setTimeout(r, 1500));
    expect(processesOf('solo')).toEqual({ total: 1, on: [heir.name] });
    expect(processesOf('everywhere').on).toEqual(cluster.instances.filter(alive).map((i) => i.name));

    // The session on the dead holder is gone; a new one works, and every live instance shows the new holder.
    await before.client.close().catch(() => {});
    const again = await session(`${lb.url}/mcp/solo`);
    expect(await echo(again.client, 'echo', 'again')).toContain('again');
    await again.client.close();
    for (const i of cluster.instances.filter(alive)) {
      const s = (await (await fetch(`http://127.0.0.1:${i.port}/api/v1/tools/solo/status`, { headers })).json()) as { state: string; instance: string };
      expect(s.state).toBe('running');
      expect(byId(s.instance)).toBe(heir);
    }
    console.log(
      `[scale] kill -9 of ${victim.name} (running 'solo'): ${heir.name} runs it after ${processAt!.toFixed(1)} s, calls through HAProxy work again after ${callAt!.toFixed(1)} s (lease TTL ${TTL_S} s; ${failedCalls} calls refused meanwhile)`,
    );
  });
});
