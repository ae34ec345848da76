import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/helpers/test-context.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import type { BackupManifest } from './backup-format.js';
import { pickExpired } from './backup-retention.js';
import { createBackupScheduler } from './backup-scheduler.js';

const open: { c: TestContext; db: TestDatabase }[] = [];
afterAll(async () => {
  for (const { c, db } of open) {
    await c.dispose();
    await db.drop();
  }
});

async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('automatic backups', () => {
  it('run on the cron schedule, each one verified, and old ones are pruned by count; manual ones stay', { timeout: 120_000 }, async () => {
    const db = await createTestDatabase();
    const c = await createTestContext(db.url, { BACKUP_SCHEDULE: 'off' });
    open.push({ c, db });
    const service = c.ctx.backups.service;
    const manual = await service.create({ label: 'keep me' });

    let runs = 0;
    const scheduler = createBackupScheduler({
      backups: { createScheduled: () => service.createScheduled().finally(() => runs++), prune: (p) => service.prune(p) },
      log: c.ctx.log,
      audit: c.ctx.audit,
      initial: { schedule: '* * * * * *', keepCount: 2, keepDays: 0 },
    });
    scheduler.start();
    expect(scheduler.nextRun()).toBeInstanceOf(Date);
    try {
      await until(async () => runs >= 4, 'four scheduled runs');
    } finally {
      scheduler.stop();
    }
    // Let a run in flight finish its pruning.
    await until(async () => (await service.list()).filter((m) => m.kind === 'scheduled').length <= 2, 'pruning');
    const all = await service.list();
    const scheduled = all.filter((m) => m.kind === 'scheduled');
    expect(scheduled).toHaveLength(2);
    expect(all.map((m) => m.id)).toContain(manual.id);
    for (const m of scheduled) expect(Date.parse(m.verified_at)).toBeGreaterThan(0);
    const audited = await c.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'backup.create').where('actor_type', '=', 'system').execute();
    expect(audited.length).toBeGreaterThanOrEqual(4);
    expect(audited.every((r) => r.outcome === 'success')).toBe(true);
  });

  it('takes new settings at once; a bad cron expression is refused and the old settings stay', () => {
    const scheduler = createBackupScheduler({
      backups: { createScheduled: async () => null, prune: async () => [] },
      log: { info() {}, error() {} } as never,
      initial: { schedule: '0 3 * * *', keepCount: 7, keepDays: 30 },
    });
    scheduler.start();
    expect(scheduler.nextRun()!.getHours()).toBe(3);
    expect(() => scheduler.update({ schedule: 'every tuesday' })).toThrow();
    expect(scheduler.settings()).toEqual({ schedule: '0 3 * * *', keepCount: 7, keepDays: 30 });
    scheduler.update({ schedule: '30 4 * * *', keepCount: 3 });
    expect(scheduler.nextRun()!.getMinutes()).toBe(30);
    expect(scheduler.settings()).toEqual({ schedule: '30 4 * * *', keepCount: 3, keepDays: 30 });
    scheduler.update({ schedule: null });
    expect(scheduler.nextRun()).toBeNull();
    scheduler.stop();
  });
});

describe('retention', () => {
  const m = (id: string, kind: BackupManifest['kind'], daysAgo: number) => ({ id, kind, created_at: new Date(Date.UTC(2026, 10, 29) - daysAgo * 86_400_000).toISOString() }) as BackupManifest;
  const now = new Date(Date.UTC(2026, 10, 29));
  const all = [m('s1', 'scheduled', 1), m('s2', 'scheduled', 2), m('s3', 'scheduled', 3), m('s40', 'scheduled', 40), m('f1', 'safety', 1), m('f50', 'safety', 50), m('m99', 'manual', 99), m('u99', 'upload', 99)];

  it('keeps the newest per kind and drops those past the age; manual and uploaded backups are never pruned', () => {
    expect(pickExpired(all, { keepCount: 2, keepDays: 30 }, now).map((x) => x.id).sort()).toEqual(['f50', 's3', 's40']);
    expect(pickExpired(all, { keepCount: 0, keepDays: 30 }, now).map((x) => x.id).sort()).toEqual(['f50', 's40']);
    expect(pickExpired(all, { keepCount: 1, keepDays: 0 }, now).map((x) => x.id).sort()).toEqual(['f50', 's2', 's3', 's40']);
    expect(pickExpired(all, { keepCount: 0, keepDays: 0 }, now)).toEqual([]);
  });
});

describe('configuration', () => {
  it('BACKUP_SCHEDULE takes a cron expression or off; anything else stops start-up naming the variable', async () => {
    const { loadConfig } = await import('../config.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-backup-cfg-'));
    const load = (env: Record<string, string>) => loadConfig({ ENVIRONMENT: 'test', ...env }, { envFile: false, cwd: dir });
    expect(load({}).backupSchedule).toBe('0 3 * * *');
    expect(load({ BACKUP_SCHEDULE: 'OFF' }).backupSchedule).toBeNull();
    expect(load({ BACKUP_SCHEDULE: '*/15 * * * *', BACKUP_KEEP_COUNT: '3', BACKUP_KEEP_DAYS: '0' })).toMatchObject({ backupSchedule: '*/15 * * * *', backupKeepCount: 3, backupKeepDays: 0 });
    expect(() => load({ BACKUP_SCHEDULE: 'daily please' })).toThrow(/^Invalid configuration: BACKUP_SCHEDULE: /);
    expect(() => load({ BACKUP_KEEP_COUNT: '-1' })).toThrow(/BACKUP_KEEP_COUNT/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('BACKUP_DIR housekeeping', () => {
  it('removes partial files a crash left behind, but not recent ones', async () => {
    const { createBackupStore } = await import('./backup-store.js');
    const { utimesSync, writeFileSync, readdirSync } = await import('node:fs');
    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-backup-store-'));
    const store = createBackupStore(dir);
    const old = store.tempPath();
    const fresh = store.tempPath();
    writeFileSync(old, 'partial');
    writeFileSync(fresh, 'being written');
    utimesSync(old, new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 2 * 86_400_000));
    expect(await store.cleanTemp(86_400_000)).toBe(1);
    expect(readdirSync(dir)).toEqual([path.basename(fresh)]);
    rmSync(dir, { recursive: true, force: true });
  });
});
