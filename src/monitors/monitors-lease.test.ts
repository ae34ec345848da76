import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { loadConfig } from '../config.js';
import { createLeasesRepository } from '../leases/leases.repository.js';
import { createMonitorsRuntime, MONITORS_LEASE, type MonitorsRuntime } from './monitors-runtime.js';

/**
 * The monitors' scheduler lease takes its TTL from MCPS_MONITORS_LEASE_TTL_MS: with a short one, a
 * standby instance takes over from a holder that died (a lease left unrenewed) within the TTL and a
 * third of it (before, the TTL was fixed at 30 s).
 */
let t: TestApp;
const started: MonitorsRuntime[] = [];

const runtime = (instanceId: string, leaseTtlMs: number) =>
  createMonitorsRuntime({
    db: t.ctx.db,
    audit: t.ctx.audit,
    alertsWake: () => {},
    alertSink: { fire: async () => 0, resolve: async () => 0, ingested: () => {} },
    checks: { resolveSecrets: async (s) => s, connectionOf: async () => Promise.reject(new Error('none')) },
    apiPrefix: '/api/v1',
    config: { rawRetentionHours: 2, maxMonitors: 100, leaseTtlMs },
    platform: { redisUrl: undefined, serverStates: () => [], dataDir: t.dir, newestBackup: async () => null, backupSchedule: null, diskMinFreePercent: 1, backupMaxAgeHours: 48, startedAt: Date.now() },
    instanceId,
  });

beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => {
  for (const r of started) await r.stop();
  await t?.close();
});

describe('monitors scheduler lease', () => {
  const load = (env: Record<string, string>) => loadConfig({ ENVIRONMENT: 'test', MCPS_HOME: t.dir, ...env }, { envFile: false, cwd: t.dir });

  it('defaults to 15 s and reads MCPS_MONITORS_LEASE_TTL_MS; refuses a value out of range', () => {
    expect(load({}).monitors.leaseTtlMs).toBe(15_000);
    expect(load({ MCPS_MONITORS_LEASE_TTL_MS: '3000' }).monitors.leaseTtlMs).toBe(3000);
    expect(() => load({ MCPS_MONITORS_LEASE_TTL_MS: '10' })).toThrow(/MCPS_MONITORS_LEASE_TTL_MS/);
  });

  it('a standby takes over from a dead holder within the TTL and a third', async () => {
    const TTL = 900;
    // What a holder killed with -9 leaves: the lease, never renewed again.
    expect((await createLeasesRepository(t.ctx.db).tryAcquire(MONITORS_LEASE, 'dead-instance', TTL)).acquired).toBe(true);
    const standby = runtime('standby', TTL);
    started.push(standby);
    const from = Date.now();
    await standby.start();
    expect(standby.leader()).toBe(false);
    await waitFor(() => standby.leader(), 10_000, 'the standby to take the monitors lease');
    const took = Date.now() - from;
    expect(took).toBeLessThan(TTL + TTL / 3 + 500);

    // A clean stop hands over to the next standby within a third of the TTL.
    const next = runtime('next', TTL);
    started.push(next);
    await next.start();
    expect(next.leader()).toBe(false);
    const stopAt = Date.now();
    await standby.stop();
    await waitFor(() => next.leader(), 10_000, 'the next standby to take the monitors lease');
    expect(Date.now() - stopAt).toBeLessThan(TTL / 3 + 500);
  }, 30_000);
});
