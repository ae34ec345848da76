import { describe, it } from 'vitest';
import { type CrashFigures, reportFigures } from './crash-figures.js';
import { crashPlatform, randomMs, ROUNDS } from './crash-platform.js';
import { integrityFailures } from './integrity.js';

const MONITORS = 4;

/**
 * Push monitors (down after one failure) flip between up and down with every push, each of which
 * changes the state, writes a state-change event and opens or resolves the monitor's alert; the
 * platform is killed -9 at a random moment of each round. After every restart: each push answered
 * 2xx has its result row (and none twice); the monitor's state is the last event's, the events chain
 * (each starts where the last ended); the monitor's alert is firing exactly when it is down, as one
 * episode, and no other episode of it is left firing.
 */
describe('crash consistency: monitor state changes', () => {
  it(`kill -9 during push-driven state changes, ${ROUNDS} times`, async () => {
    const p = await crashPlatform();
    await p.start();
    const monitors: { id: string; token: string; name: string }[] = [];
    for (let i = 0; i < MONITORS; i++) {
      const m = await p.api('POST', '/monitors', { name: `crash-${i}`, check: { kind: 'push' }, interval_seconds: 3600, failures_before_down: 1 });
      monitors.push({ id: m['id'] as string, name: `crash-${i}`, token: (m['push_url'] as string).split('/').pop()! });
    }
    const acked = new Set<string>();
    let seq = 1;
    const f: CrashFigures = { case: 'monitor state change', rounds: ROUNDS, kills: 0, acked: 0, lost: 0, duplicates: 0, integrity_failures: 0 };
    const lost = new Set<string>();
    const duplicates = new Set<string>();
    const integrity: string[] = [];
    const inconsistent = new Set<string>();

    const check = async () => {
      const db = p.db().db;
      const results = await db.selectFrom('monitor_results').select(['monitor_id', 'ok', 'latency_ms', 'error']).execute();
      const seen = new Map<string, number>();
      for (const r of results) {
        const k = r.ok ? `up-${r.latency_ms}` : r.error!;
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
      for (const k of acked) if (!seen.has(k)) lost.add(k);
      for (const [k, n] of seen) if (n > 1) duplicates.add(k);
      for (const m of monitors) {
        const row = await db.selectFrom('monitors').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
        const events = await db.selectFrom('monitor_events').selectAll().where('monitor_id', '=', m.id).orderBy('at').orderBy('id').execute();
        let state = 'unknown';
        for (const e of events) {
          if (e.from_state !== state) inconsistent.add(`${m.name}: event ${e.id} from ${e.from_state}, previous ended ${state}`);
          state = e.to_state;
        }
        if (row.state !== state) inconsistent.add(`${m.name}: state ${row.state}, last event to ${state}`);
        const alerts = await db.selectFrom('alerts').select(['starts_at', 'status', 'labels']).where('source', '=', 'monitors').execute();
        const firing = alerts.filter((a) => a.status === 'firing' && (JSON.parse(a.labels) as { monitor: string }).monitor === m.name);
        const expected = row.state === 'down' ? [row.alert_starts_at] : [];
        if (JSON.stringify(firing.map((a) => a.starts_at)) !== JSON.stringify(expected))
          inconsistent.add(`${m.name}: ${row.state} (alert_starts_at ${row.alert_starts_at}) with firing episodes ${JSON.stringify(firing.map((a) => a.starts_at))}`);
      }
    };

    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await p.start();
      let stop = false;
      const pusher = async (m: (typeof monitors)[number]) => {
        while (!stop) {
          const n = seq++;
          const down = n % 2 === 0;
          const key = down ? `down-${n}` : `up-${n}`;
          const q = down ? `status=down&msg=${key}` : `status=up&ping=${n}`;
          try {
            const res = await fetch(`${p.run.url}/api/v1/monitors/push/${m.token}?${q}`, { method: 'POST' });
            if (res.ok) acked.add(key);
          } catch {
            return;
          }
        }
      };
      const pushers = Promise.all(monitors.map(pusher));
      await p.killAfter(randomMs(100, 1500));
      f.kills++;
      stop = true;
      await pushers;
      integrity.push(...(await integrityFailures(p)));
      await check();
    }
    f.acked = acked.size;
    f.lost = lost.size;
    f.duplicates = duplicates.size;
    f.integrity_failures = integrity.length + inconsistent.size;
    f.extra = { pushes_sent: seq - 1, inconsistent_monitors: inconsistent.size };
    reportFigures(f, { lost: [...lost], duplicates: [...duplicates], integrity: [...integrity, ...inconsistent] });
  });
});
