import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { type CrashFigures, reportFigures } from './crash-figures.js';
import { crashPlatform, randomMs, ROUNDS, sleep } from './crash-platform.js';
import { integrityFailures } from './integrity.js';

const TINY = path.resolve(import.meta.dirname, '../fixtures/mcp/tiny.mjs');
const CALLERS = 8;

/**
 * Tool calls at 8 in flight through the platform to a managed server (each with its own marker), so
 * the protocol log is written in batches all the time; killed -9 at a random moment. The protocol log
 * is buffered by design (a message is written within 100 ms, or at once per 500 rows,
 * protocol-recorder.ts): what a kill may lose is the unwritten buffer, never a committed row. So the
 * acknowledged writes here are the rows a reader saw committed just before the kill: after the
 * restart each is there, unchanged in count, and no message is stored twice. The calls answered but
 * not yet written when the kill came are counted, and bounded: every call answered more than
 * UNWRITTEN_BOUND_MS before the kill is in the log.
 */
const UNWRITTEN_BOUND_MS = 500;
describe('crash consistency: protocol log under tool-call load', () => {
  it(`kill -9 during protocol-log writes, ${ROUNDS} times`, async () => {
    const p = await crashPlatform();
    await p.start();
    const { id } = await p.api<{ id: string }>('POST', '/tools', { name: 'tiny', command: process.execPath, args: [TINY] });
    await p.api('POST', `/tools/${id}/start`);
    const db = () => p.db().db;
    const markers = async () => {
      const rows = await db().selectFrom('mcp_logs').select(['id', 'direction', 'payload']).execute();
      const seen = new Map<string, number>();
      for (const r of rows) {
        const m = /"message":"(pl-\d+)"|"text":"(pl-\d+)"/.exec(r.payload ?? '');
        if (!m) continue;
        const k = `${r.direction} ${m[1] ?? m[2]}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
      return { ids: new Set(rows.map((r) => r.id)), seen };
    };

    const f: CrashFigures = { case: 'protocol log', rounds: ROUNDS, kills: 0, acked: 0, lost: 0, duplicates: 0, integrity_failures: 0 };
    const committed = new Set<number>();
    const lost = new Set<number>();
    const duplicates = new Set<string>();
    const integrity: string[] = [];
    const answered = new Map<string, number>();
    const tooOld: string[] = [];
    let oldestUnwrittenMs = 0;
    let next = 0;
    let calls = 0;
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await p.start();
      await waitFor(async () => (await p.api('GET', `/tools/${id}`))['state'] === 'running', 30_000, 'the server running');
      let stop = false;
      const roundStart = Date.now();
      const caller = async () => {
        while (!stop) {
          const marker = `pl-${next++}`;
          try {
            await p.api('POST', `/tools/${id}/call`, { tool: 'echo', arguments: { message: marker } });
            answered.set(marker, Date.now());
            calls++;
          } catch {
            return;
          }
        }
      };
      const callers = Promise.all(Array.from({ length: CALLERS }, caller));
      await sleep(randomMs(300, 2500));
      for (const rowId of (await markers()).ids) committed.add(rowId);
      const killAt = Date.now();
      await p.kill();
      f.kills++;
      stop = true;
      await callers;
      integrity.push(...(await integrityFailures(p)));
      const after = await markers();
      for (const rowId of committed) if (!after.ids.has(rowId)) lost.add(rowId);
      for (const [k, n] of after.seen) if (n > 1) duplicates.add(k);
      for (const [m, at] of answered) {
        if (at < roundStart || at > killAt || after.seen.has(`in ${m}`) || after.seen.has(`out ${m}`)) continue;
        oldestUnwrittenMs = Math.max(oldestUnwrittenMs, killAt - at);
        if (killAt - at > UNWRITTEN_BOUND_MS) tooOld.push(`${m} answered ${killAt - at} ms before the kill`);
      }
    }
    const { seen } = await markers();
    const unlogged = [...answered.keys()].filter((m) => !seen.has(`in ${m}`) && !seen.has(`out ${m}`)).length;
    expect(committed.size).toBeGreaterThan(0);
    f.acked = committed.size;
    f.lost = lost.size;
    f.duplicates = duplicates.size;
    f.integrity_failures = integrity.length;
    f.extra = { calls_answered: calls, answered_calls_not_yet_written_at_a_kill: unlogged, oldest_unwritten_answer_ms: oldestUnwrittenMs };
    reportFigures(f, { lost: [...lost], duplicates: [...duplicates], integrity });
    expect(tooOld, `answered calls unwritten longer than ${UNWRITTEN_BOUND_MS} ms before a kill`).toEqual([]);
  });
});
