import { describe, expect, it } from 'vitest';
import { bulkAlerts } from './bulk-alerts.js';
import { type CrashFigures, reportFigures } from './crash-figures.js';
import { crashPlatform, randomMs, ROUNDS } from './crash-platform.js';
import { integrityFailures } from './integrity.js';

/**
 * Two backups: OLD (5,000 alerts of set a, monitors a-0..a-9) and NEW (the same plus 5,000 alerts of
 * set b, monitors b-0..b-9 instead). Each round restores the one the database is not at (a safety
 * backup first), killed -9 at a random moment within the time a whole restore last took (calibrated
 * by one restore to the end first). After every kill the database is wholly OLD or wholly NEW (alerts of set b: 0 or
 * 5,000, and the monitors of the same side), never a mix; a restore answered 200 left its side.
 */
describe('crash consistency: restore', () => {
  it(`kill -9 during a restore, ${ROUNDS} times`, async () => {
    const p = await crashPlatform();
    await p.start();
    const monitors = async (set: string) => {
      for (let i = 0; i < 10; i++) await p.api('POST', '/monitors', { name: `${set}-${i}`, check: { kind: 'push' }, interval_seconds: 3600 });
    };
    await bulkAlerts(p, 'a', 5000);
    await monitors('a');
    const oldId = (await p.api<{ id: string }>('POST', '/system/backups', { label: 'old' })).id;
    await bulkAlerts(p, 'b', 5000);
    for (const m of (await p.api<{ items: { id: string }[] }>('GET', '/monitors')).items) await p.api('DELETE', `/monitors/${m.id}`);
    await monitors('b');
    const newId = (await p.api<{ id: string }>('POST', '/system/backups', { label: 'new' })).id;

    /** 'old', 'new' or a description of the mix. */
    const side = async (): Promise<string> => {
      const db = p.db().db;
      const alerts = await db.selectFrom('alerts').select(['labels']).execute();
      const b = alerts.filter((a) => (JSON.parse(a.labels) as { set?: string }).set === 'b').length;
      const a = alerts.filter((x) => (JSON.parse(x.labels) as { set?: string }).set === 'a').length;
      const names = (await db.selectFrom('monitors').select('name').orderBy('name').execute()).map((m) => m.name[0]).join('');
      if (a === 5000 && b === 0 && names === 'a'.repeat(10)) return 'old';
      if (a === 5000 && b === 5000 && names === 'b'.repeat(10)) return 'new';
      return `mixed: ${a} alerts of a, ${b} of b, monitors ${names}`;
    };

    const f: CrashFigures = { case: 'restore', rounds: ROUNDS, kills: 0, acked: 0, lost: 0, duplicates: 0, integrity_failures: 0 };
    const outcomes = { old: 0, new: 0, mixed: 0, answered: 0 };
    const lost: string[] = [];
    const mixed: string[] = [];
    const integrity: string[] = [];
    // One restore to the end first: how long one takes on this machine now, so that the kills fall
    // inside it (verify, safety backup, the replacing transaction) and not all before or after.
    let started = performance.now();
    await p.api('POST', `/system/backups/${oldId}/restore`, { safety_backup: true });
    let took = performance.now() - started;
    let at = await side();
    expect(at).toBe('old');
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await p.start();
      const target = at === 'old' ? 'new' : 'old';
      let answered = false;
      started = performance.now();
      const restore = p.api('POST', `/system/backups/${target === 'old' ? oldId : newId}/restore`, { safety_backup: true }).then(() => {
        answered = true;
        took = performance.now() - started;
      }, () => undefined);
      await p.killAfter(randomMs(0, Math.round(took * 1.1)));
      f.kills++;
      await restore;
      integrity.push(...(await integrityFailures(p)));
      at = await side();
      if (at === 'old' || at === 'new') outcomes[at]++;
      else {
        outcomes.mixed++;
        mixed.push(`round ${round}: ${at}`);
      }
      if (answered) {
        outcomes.answered++;
        f.acked++;
        if (at !== target) lost.push(`round ${round}: restore of ${target} answered 200, database at ${at}`);
      }
    }
    expect(outcomes.old + outcomes.new).toBeGreaterThan(0);
    f.lost = lost.length;
    f.integrity_failures = integrity.length + mixed.length;
    f.extra = { left_old: outcomes.old, left_new: outcomes.new, mixed: outcomes.mixed, restores_answered: outcomes.answered };
    reportFigures(f, { lost, integrity: [...integrity, ...mixed] });
  });
});
