import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGroupAlive } from './process/child-process.js';
import { createSupervisor } from './supervision/supervisor.js';
import { createServersTestApp, fixtureBody, type ServersTestApp } from '../../test/helpers/servers-app.js';
import { fixtureConfig } from '../../test/helpers/fixtures.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/** Platform start (auto_start, orphan reaping) and the metrics time series. */

let t: ServersTestApp;
beforeAll(async () => {
  t = await createServersTestApp();
});
afterAll(async () => t.closeAndCheck(), 60_000);

describe('platform start and metrics', () => {
  it('boot first kills the processes a crashed previous run left (pid files in DATA_DIR/pids), then starts enabled auto_start servers only, once', async () => {
    await t.call('POST', '/tools', fixtureBody('auto', 'well-behaved', { auto_start: true }));
    await t.call('POST', '/tools', fixtureBody('auto-off', 'well-behaved', { auto_start: true, enabled: false }));
    await t.call('POST', '/tools', fixtureBody('manual', 'well-behaved'));
    // Another supervisor on the same pid directory plays the crashed run: its child is never stopped.
    const crashed = createSupervisor({ pidDir: t.ctx.servers.pidDir, health: null });
    crashed.register(fixtureConfig('orphan', 'well-behaved'));
    const pid = (await crashed.start('orphan')).pid!;
    t.pids.add(pid);
    expect(isGroupAlive(pid)).toBe(true);
    await t.ctx.servers.boot();
    expect(isGroupAlive(pid)).toBe(false);
    await crashed.stopAll();

    await t.waitState('auto', 'running');
    const autoPid = (await t.status('auto')).pid;
    expect((await t.status('manual')).state).toBe('stopped');
    expect((await t.status('auto-off')).state).toBe('stopped');
    // The audit row is written just after the state turns running.
    const autostartRows = () => t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'server.autostart').execute();
    await waitFor(async () => (await autostartRows()).length > 0, 10_000, 'the server.autostart audit row');
    // Booting again neither reaps this run's own children nor starts anything twice.
    await t.ctx.servers.boot();
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.status('auto')).toMatchObject({ state: 'running', pid: autoPid });
    const ops = await autostartRows();
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ actor_type: 'system', outcome: 'success' });
  });

  it('reports CPU, RSS, calls, errors and p50/p95 per sample', async () => {
    for (let i = 0; i < 20; i++) await t.call('POST', '/tools/auto/call', { tool: 'echo', arguments: { message: `m${i}` } });
    await t.call('POST', '/tools/auto/call', { tool: 'nope' });
    await t.ctx.servers.metrics.sample();
    const res = await t.call('GET', '/tools/auto/metrics');
    expect(res.statusCode, res.body).toBe(200);
    const m = res.json();
    expect(m.totals.calls).toBeGreaterThanOrEqual(21);
    expect(m.totals.errors).toBeGreaterThanOrEqual(1);
    const last = m.samples.at(-1);
    expect(last).toMatchObject({ state: 'running', restarts: 0 });
    expect(last.rss_bytes).toBeGreaterThan(1_000_000);
    expect(last.cpu_percent).toEqual(expect.any(Number));
    expect(last.p50_ms).toEqual(expect.any(Number));
    expect(last.p95_ms).toBeGreaterThanOrEqual(last.p50_ms);
    const later = await t.call('GET', `/tools/auto/metrics?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(later.json().samples).toEqual([]);
    expect((await t.call('GET', '/tools/auto/metrics?since=yesterday')).statusCode).toBe(400);
  });
});
