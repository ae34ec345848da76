import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { localCaller } from '../secrets/secret-caller.js';
import { createMonitorAlertSink } from './monitor-alerts.js';
import { createMonitorRecorder } from './monitor-recorder.js';
import { createMonitorsRepository, type MonitorsRepository } from './monitors.repository.js';
import { createMonitorsRuntime } from './monitors-runtime.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/**
 * A monitor's state change and its alert are one write: the process dying after the alert was
 * written but before the state was (a kill -9, test/reliability/monitor-state.crash.test.ts) must
 * leave neither. Here the transaction fails right after the alert's write, as the crash would cut it.
 */
describe('monitor recorder: state and alert in one transaction', () => {
  it('a failure after the alert was written leaves no alert and the old state; the next result writes both', async () => {
    const runtime = createMonitorsRuntime({
      db: t.ctx.db, audit: t.ctx.audit, alertsWake: () => {},
      checks: { resolveSecrets: async (s) => s, connectionOf: async () => { throw new Error('none'); } },
      apiPrefix: '/api/v1', config: { rawRetentionHours: 2, maxMonitors: 100 },
      platform: { redisUrl: undefined, serverStates: () => [], dataDir: t.dir, newestBackup: async () => null, backupSchedule: null, diskMinFreePercent: 1, backupMaxAgeHours: 48, startedAt: Date.now() },
      now: () => Date.now(),
    });
    const m = await runtime.service.create({ name: 'atomic', check: { kind: 'push', target: '' }, interval_seconds: 600, failures_before_down: 1, severity: 'critical', enabled: true }, localCaller('cli', 'test'));
    const repo = createMonitorsRepository(t.ctx.db);
    const cut: MonitorsRepository = {
      ...repo,
      record: (result, id, set, event, alongside) =>
        repo.record(result, id, set, event, async (trx) => {
          await alongside(trx);
          throw new Error('the process died here');
        }),
    };
    let woken = 0;
    const alerts = createMonitorAlertSink({ onIngested: () => woken++, now: () => new Date() });
    const down = { ok: false, latency_ms: null, error: 'no push', details: {} };
    await expect(createMonitorRecorder({ repo: cut, alerts })(m.id, down, Date.now())).rejects.toThrow('the process died here');
    const firing = () => t.ctx.db.selectFrom('alerts').select(['starts_at', 'status']).where('source', '=', 'monitors').where('labels', 'like', '%"monitor":"atomic"%').execute();
    expect(await firing()).toEqual([]);
    expect(await repo.find(m.id)).toMatchObject({ state: 'unknown', alert_starts_at: null });
    expect(woken).toBe(0);

    const after = await createMonitorRecorder({ repo, alerts })(m.id, down, Date.now());
    expect(after).toMatchObject({ state: 'down' });
    expect(await firing()).toEqual([{ starts_at: after!.alert_starts_at, status: 'firing' }]);
    expect(woken).toBe(1);
  });
});
