import { describe, expect, it } from 'vitest';
import type { EventStream } from '../http/event-streams.js';
import { createLiveEvents } from '../lib/live-events.js';
import { followLog } from './log-tail.js';

/** A log of rows with ids, queried as the logs service does (newest first, or oldest first after an id). */
function fakeLog(ids: number[]) {
  const rows = ids.map((id) => ({ id }));
  return {
    rows,
    query: async (after: number | null, limit: number) =>
      after === null ? [...rows].sort((a, b) => b.id - a.id).slice(0, limit) : rows.filter((r) => r.id > after).sort((a, b) => a.id - b.id).slice(0, limit),
  };
}

function fakeStream() {
  const sent: { id: number; event: string | undefined; data: unknown }[] = [];
  const closers: (() => void)[] = [];
  let closed = false;
  const stream: EventStream = {
    send: (id, data, event) => (closed ? false : (sent.push({ id: Number(id), event, data }), true)),
    onClose: (fn) => void closers.push(fn),
    close: () => {
      closed = true;
      for (const fn of closers) fn();
    },
    get closed() {
      return closed;
    },
  };
  return { stream, sent };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('followLog', () => {
  it('starts from now without Last-Event-ID, then sends each new row once, in id order, when announced', async () => {
    const log = fakeLog([1, 2, 3]);
    const live = createLiveEvents();
    const { stream, sent } = fakeStream();
    await followLog({ kind: 'mcp', rows: log.query, live, stream, after: null, onError: () => {} });
    expect(sent).toEqual([]);
    log.rows.push({ id: 5 }, { id: 4 });
    live.logsWritten('system');
    await settle();
    expect(sent).toEqual([]);
    live.logsWritten('mcp');
    live.logsWritten('mcp');
    await settle();
    expect(sent.map((s) => s.id)).toEqual([4, 5]);
    stream.close();
  });

  it('replays what a resumed client missed, and says so with a gap event when it is more than the bound', async () => {
    const log = fakeLog(Array.from({ length: 30 }, (_, i) => i + 1));
    const resumed = fakeStream();
    await followLog({ kind: 'mcp', rows: log.query, live: createLiveEvents(), stream: resumed.stream, after: 25, onError: () => {} });
    expect(resumed.sent.map((s) => s.id)).toEqual([26, 27, 28, 29, 30]);
    resumed.stream.close();

    const far = fakeStream();
    await followLog({ kind: 'mcp', rows: log.query, live: createLiveEvents(), stream: far.stream, after: 3, replayMax: 10, onError: () => {} });
    expect(far.sent[0]).toMatchObject({ event: 'gap', data: { skipped_before: 21, replay_max: 10 } });
    expect(far.sent.slice(1).map((s) => s.id)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    far.stream.close();
  });

  it('finds rows written by another instance (not announced here) by polling', async () => {
    const log = fakeLog([1]);
    const { stream, sent } = fakeStream();
    await followLog({ kind: 'system', rows: log.query, live: createLiveEvents(), stream, after: null, pollMs: 30, onError: () => {} });
    log.rows.push({ id: 2 });
    await new Promise((r) => setTimeout(r, 120));
    expect(sent.map((s) => s.id)).toEqual([2]);
    stream.close();
  });

  it('closes the stream when the database fails', async () => {
    const errors: unknown[] = [];
    const live = createLiveEvents();
    const { stream } = fakeStream();
    let fail = false;
    await followLog({ kind: 'mcp', rows: async () => { if (fail) throw new Error('db down'); return []; }, live, stream, after: null, onError: (e) => errors.push(e) });
    fail = true;
    live.logsWritten('mcp');
    await settle();
    expect(stream.closed).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
