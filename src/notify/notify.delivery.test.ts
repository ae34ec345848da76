import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../test/helpers/http-receiver.js';
import { type NotifySetup, setUpNotify } from '../../test/helpers/notify-setup.js';
import { dingtalkRobot } from '../../test/helpers/vendor-receivers.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createOutboundGuard } from '../lib/outbound-guard.js';
import { createOutboundPolicy } from '../lib/outbound-policy.js';
import { SYSTEM_CALLER } from '../secrets/secret-caller.js';
import { createNotifyService } from './notify.service.js';

/** The queue: retries and their delays, no retry on 4xx, timeouts, rate limits, restarts, two workers. */
let s: NotifySetup;
let rx: HttpReceiver;
const msg = { title: 'Queue test', text: 'body', severity: 'warning' as const };

beforeAll(async () => {
  s = await setUpNotify({ timeoutMs: 300, backoffMs: 1_000 });
  rx = await startHttpReceiver(() => ({ status: 200, body: 'ok' }));
});
afterAll(async () => {
  await rx.close();
  await s.close();
});
afterEach(() => {
  rx.requests.length = 0;
});

const hook = (name: string) => s.channel(name, { kind: 'webhook', url: `${rx.url}/${name}` });

describe('retries', () => {
  it('500 then 200: retried after the backoff, delivered once', async () => {
    let n = 0;
    rx.answer(() => (++n === 1 ? { status: 500, body: 'boom' } : { status: 200, body: 'ok' }));
    const id = await hook('flaky');
    await s.sut.send(id, msg, SYSTEM_CALLER);
    await s.sut.worker.tick();
    expect((await s.deliveries(id))[0]).toMatchObject({ status: 'pending', attempts: 1, last_error_code: '500' });
    expect(await s.sut.worker.tick()).toBe(0);
    s.clock.advance(1_000);
    await s.sut.worker.tick();
    await s.sut.worker.tick();
    expect((await s.deliveries(id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(rx.requests.filter((r) => r.url === '/flaky')).toHaveLength(2);
  });

  it('429 with Retry-After: 120 waits two minutes, not the backoff', async () => {
    let n = 0;
    rx.answer(() => (++n === 1 ? { status: 429, body: 'slow down', headers: { 'retry-after': '120' } } : { status: 200, body: 'ok' }));
    const id = await hook('limited');
    await s.sut.send(id, msg, SYSTEM_CALLER);
    await s.sut.worker.tick();
    const [d] = await s.deliveries(id);
    expect(d).toMatchObject({ status: 'pending', last_error_code: '429' });
    expect(Date.parse(d!.next_attempt_at) - s.clock.ms).toBe(120_000);
    s.clock.advance(60_000);
    expect(await s.sut.worker.tick()).toBe(0);
    s.clock.advance(60_000);
    await s.sut.worker.tick();
    expect((await s.deliveries(id))[0]!.status).toBe('delivered');
  });

  it('400: failed at once, one request', async () => {
    rx.answer(() => ({ status: 400, body: 'bad payload' }));
    const id = await hook('rejects');
    await s.sut.send(id, msg, SYSTEM_CALLER);
    await s.sut.worker.tick();
    s.clock.advance(3_600_000);
    await s.sut.worker.tick();
    expect(await s.deliveries(id)).toMatchObject([{ status: 'failed', attempts: 1, last_error_code: '400' }]);
    expect(rx.requests).toHaveLength(1);
  });

  it('a hanging receiver times out and is retried', async () => {
    let n = 0;
    rx.answer(() => (++n === 1 ? 'hang' : { status: 200, body: 'ok' }));
    const id = await hook('hangs');
    await s.sut.send(id, msg, SYSTEM_CALLER);
    await s.sut.worker.tick();
    expect((await s.deliveries(id))[0]).toMatchObject({ status: 'pending', last_error_code: 'timeout' });
    s.clock.advance(1_000);
    await s.sut.worker.tick();
    expect((await s.deliveries(id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('gives up after maxAttempts', async () => {
    rx.answer(() => ({ status: 503, body: 'down' }));
    const id = await hook('down');
    await s.sut.send(id, msg, SYSTEM_CALLER);
    for (let i = 0; i < 12; i++) {
      await s.sut.worker.tick();
      s.clock.advance(20 * 60_000);
    }
    expect(await s.deliveries(id)).toMatchObject([{ status: 'failed', attempts: 8, last_error_code: '503' }]);
  });
});

describe('rate limits', () => {
  it('DingTalk: 25 messages go out 20 in the first minute, the other 5 after it', async () => {
    rx.answer(dingtalkRobot({ token: 'rl-token' }));
    const id = await s.channel('dingtalk-rl', { kind: 'dingtalk', access_token: await s.secret('RL_TOKEN', 'rl-token'), base_url: rx.url });
    for (let i = 0; i < 25; i++) await s.sut.send(id, { ...msg, title: `m${i}` }, SYSTEM_CALLER);
    await s.sut.worker.tick();
    s.clock.advance(30_000);
    await s.sut.worker.tick();
    expect(rx.requests).toHaveLength(20);
    expect((await s.deliveries(id)).filter((d) => d.status === 'pending')).toHaveLength(5);
    s.clock.advance(30_001);
    await s.sut.worker.tick();
    expect(rx.requests).toHaveLength(25);
    expect(rx.requests.map((r) => r.json.markdown.title.replace(/^.*\] /, ''))).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
  });
});

describe('nothing lost, nothing sent twice', () => {
  it('a restart resumes the queue, and takes back a send whose worker died', async () => {
    rx.answer(() => ({ status: 200, body: 'ok' }));
    const id = await hook('restart');
    for (let i = 0; i < 3; i++) await s.sut.send(id, { ...msg, title: `r${i}` }, SYSTEM_CALLER);
    // A worker died mid-send on the first one: its claim is left in the database.
    await s.t.ctx.db.updateTable('notify_deliveries').set({ status: 'sending', attempts: 1, claimed_until: new Date(s.clock.ms + 5_000).toISOString() }).where('channel_id', '=', id).where('message', 'like', '%"r0"%').execute();
    const guard = createOutboundGuard(createOutboundPolicy(['127.0.0.0/8']));
    const next = createNotifyService({ db: s.t.ctx.db, audit: s.t.ctx.audit, guard, secrets: s.t.ctx.secrets, now: () => new Date(s.clock.ms) });
    await next.worker.tick();
    expect((await s.deliveries(id)).map((d) => d.status)).toEqual(['sending', 'delivered', 'delivered']);
    s.clock.advance(6_000);
    await next.worker.tick();
    expect((await s.deliveries(id)).map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(rx.requests.map((r) => r.json.title).sort()).toEqual(['r0', 'r1', 'r2']);
    await guard.close();
  });

  it('two workers ticking at once send each message once', async () => {
    rx.answer(() => ({ status: 200, body: 'ok' }));
    const id = await hook('two-workers');
    for (let i = 0; i < 10; i++) await s.sut.send(id, { ...msg, title: `w${i}` }, SYSTEM_CALLER);
    const guard = createOutboundGuard(createOutboundPolicy(['127.0.0.0/8']));
    const other = createNotifyService({ db: s.t.ctx.db, audit: s.t.ctx.audit, guard, secrets: s.t.ctx.secrets, now: () => new Date(s.clock.ms) });
    await Promise.all([s.sut.worker.tick(), other.worker.tick()]);
    expect(rx.requests.map((r) => r.json.title).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `w${i}`).sort());
    expect((await s.deliveries(id)).every((d) => d.status === 'delivered')).toBe(true);
    await guard.close();
  });
});

describe('the worker loop', () => {
  it('started, it sends what is queued without being asked, and stops cleanly', async () => {
    rx.answer(() => ({ status: 200, body: 'ok' }));
    const id = await hook('looped');
    s.sut.worker.start(50);
    try {
      await s.sut.send(id, { ...msg, title: 'looped' }, SYSTEM_CALLER);
      await waitFor(async () => (await s.deliveries(id))[0]?.status === 'delivered', 5_000, 'the loop to deliver');
    } finally {
      await s.sut.worker.stop();
    }
    expect(rx.requests.map((r) => r.json.title)).toEqual(['looped']);
  });
});

describe('retention', () => {
  it('delivered and failed rows leave the log after 30 days; pending ones stay', async () => {
    rx.answer(() => ({ status: 200, body: 'ok' }));
    const id = await hook('retained');
    await s.sut.send(id, msg, SYSTEM_CALLER);
    await s.sut.worker.tick();
    rx.answer(() => ({ status: 503, body: 'down' }));
    await s.sut.send(id, msg, SYSTEM_CALLER);
    s.clock.advance(31 * 24 * 3_600_000);
    await s.sut.worker.tick();
    expect((await s.deliveries(id)).map((d) => d.status)).toEqual(['pending']);
  });
});
