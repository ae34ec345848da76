import { describe, expect, it } from 'vitest';
import { type CrashFigures, reportFigures } from './crash-figures.js';
import { crashPlatform, randomMs, ROUNDS } from './crash-platform.js';
import { integrityFailures } from './integrity.js';

const TOKEN = 'crash-test-webhook-token-0123';
const alertOf = (i: number) => ({ status: 'firing', labels: { alertname: 'Crash', n: String(i) }, annotations: {}, startsAt: '2026-12-01T10:00:00Z' });
/** Alert `i`, and (as Alertmanager re-sends what still fires) a repeat of an alert answered 2xx before, if any. */
const body = (i: number, repeat?: number) => JSON.stringify({ version: '4', status: 'firing', alerts: [alertOf(i), ...(repeat === undefined ? [] : [alertOf(repeat)])] });

/**
 * Alertmanager-style senders post alerts one by one, each with a repeat of an alert already answered
 * 2xx (repeats are answered from the platform's memory of what is committed, without a write), and
 * retry whatever got no 2xx; the platform is killed -9 at a random moment of each round. After every restart each alert answered 2xx is stored,
 * and none twice (one episode per fingerprint and start); at the end every alert is stored exactly once.
 */
describe('crash consistency: alert ingest', () => {
  it(`kill -9 during webhook posts, ${ROUNDS} times`, async () => {
    const p = await crashPlatform();
    await p.start();
    await p.api('POST', '/secrets', { name: 'CRASH_TOKEN', value: TOKEN });
    await p.api('POST', '/alerts/receivers', { name: 'am', kind: 'alertmanager', token: '${secret:CRASH_TOKEN}' });

    const acked = new Set<number>();
    const unacked: number[] = [];
    let next = 0;
    const ackedList: number[] = [];
    const deliver = async (i: number): Promise<boolean> => {
      const repeat = ackedList.length ? ackedList[Math.floor(Math.random() * ackedList.length)] : undefined;
      try {
        const res = await fetch(`${p.run.url}/api/v1/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: body(i, repeat) });
        return res.status === 200;
      } catch {
        return false;
      }
    };
    const stored = async () => {
      const rows = await p.db().db.selectFrom('alerts').select(['labels', 'fingerprint', 'starts_at']).execute();
      const byN = new Map<number, number>();
      for (const r of rows) {
        const n = Number((JSON.parse(r.labels) as { n: string }).n);
        byN.set(n, (byN.get(n) ?? 0) + 1);
      }
      return byN;
    };
    const f: CrashFigures = { case: 'alert ingest', rounds: ROUNDS, kills: 0, acked: 0, lost: 0, duplicates: 0, integrity_failures: 0 };
    const lost: number[] = [];
    const duplicates: number[] = [];
    const integrity: string[] = [];
    const check = async () => {
      const byN = await stored();
      for (const i of acked) if (!byN.has(i) && !lost.includes(i)) lost.push(i);
      for (const [n, c] of byN) if (c > 1 && !duplicates.includes(n)) duplicates.push(n);
    };

    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await p.start();
      let stop = false;
      // Four senders: retries of what got no 2xx first, then new alerts, until the platform is gone.
      const sender = async () => {
        while (!stop) {
          const i = unacked.shift() ?? next++;
          if (await deliver(i)) {
            acked.add(i);
            ackedList.push(i);
          } else {
            unacked.push(i);
            if (p.run.child.exitCode !== null || p.run.child.signalCode !== null) return;
          }
        }
      };
      const senders = Promise.all([sender(), sender(), sender(), sender()]);
      await p.killAfter(randomMs(100, 1500));
      f.kills++;
      stop = true;
      await senders;
      integrity.push(...(await integrityFailures(p)));
      await check();
    }
    // The last restart: the senders deliver what is left; every alert is then stored exactly once.
    await p.start();
    for (const i of [...unacked]) expect(await deliver(i)).toBe(true);
    for (const i of unacked.splice(0)) acked.add(i);
    await check();
    const byN = await stored();
    expect(byN.size).toBe(next);
    await p.kill();
    integrity.push(...(await integrityFailures(p)));
    f.acked = acked.size;
    f.lost = lost.length;
    f.duplicates = duplicates.length;
    f.integrity_failures = integrity.length;
    f.extra = { alerts_sent: next };
    reportFigures(f, { lost, duplicates, integrity });
  });
});
