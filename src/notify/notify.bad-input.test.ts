import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../test/helpers/http-receiver.js';
import { type NotifySetup, setUpNotify } from '../../test/helpers/notify-setup.js';
import { SYSTEM_CALLER } from '../secrets/secret-caller.js';
import type { NotifyMessage } from './notify-message.js';
import { telegramText } from './kinds/telegram.js';

/** Vendors' "too fast" answers are retried after their delay; bad messages and settings are refused clearly. */
let s: NotifySetup;
let rx: HttpReceiver;
const msg = { title: 'Bad input', text: 'body', severity: 'error' as const };

beforeAll(async () => {
  s = await setUpNotify();
  rx = await startHttpReceiver(() => ({ status: 200, body: 'ok' }));
});
afterAll(async () => {
  await rx.close();
  await s.close();
});

describe('vendor rate answers', () => {
  it('Telegram 429 with parameters.retry_after waits that long', async () => {
    rx.answer(() => ({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } }));
    const id = await s.channel('tg-429', { kind: 'telegram', bot_token: await s.secret('TG', '1:x'), chat_id: '5', base_url: rx.url });
    await s.sut.send(id, msg, SYSTEM_CALLER);
    await s.sut.worker.tick();
    const [d] = await s.deliveries(id);
    expect(d).toMatchObject({ status: 'pending', last_error_code: '429' });
    expect(Date.parse(d!.next_attempt_at) - s.clock.ms).toBe(7_000);
  });

  it('DingTalk errcode 130101 (send too fast) is retried; WeCom 93000 (bad key) is not', async () => {
    rx.answer((r) => (r.url.startsWith('/robot') ? { status: 200, body: { errcode: 130101, errmsg: 'send too fast' } } : { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } }));
    const dt = await s.channel('dt-fast', { kind: 'dingtalk', access_token: await s.secret('DT', 't'), base_url: rx.url });
    const wc = await s.channel('wc-bad', { kind: 'wecom', key: await s.secret('WC', 'k'), base_url: rx.url });
    await s.sut.send(dt, msg, SYSTEM_CALLER);
    await s.sut.send(wc, msg, SYSTEM_CALLER);
    await s.sut.worker.tick();
    expect((await s.deliveries(dt))[0]).toMatchObject({ status: 'pending', last_error_code: '130101' });
    expect((await s.deliveries(wc))[0]).toMatchObject({ status: 'failed', last_error_code: '93000' });
  });
});

describe('refused input', () => {
  it('a message with an unknown severity or field is a validation error, nothing queued', async () => {
    const id = await s.channel('hook-v', { kind: 'webhook', url: `${rx.url}/v` });
    await expect(s.sut.send(id, { ...msg, severity: 'panic' } as unknown as NotifyMessage, SYSTEM_CALLER)).rejects.toMatchObject({ code: 'validation' });
    await expect(s.sut.send(id, { ...msg, extra: 1 } as unknown as NotifyMessage, SYSTEM_CALLER)).rejects.toMatchObject({ code: 'validation' });
    expect(await s.deliveries(id)).toEqual([]);
  });

  it('a disabled channel refuses to queue', async () => {
    const id = await s.channel('hook-off', { kind: 'webhook', url: `${rx.url}/off` });
    await s.sut.updateChannel(id, { enabled: false }, SYSTEM_CALLER);
    await expect(s.sut.send(id, msg, SYSTEM_CALLER)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('a deleted secret fails the delivery clearly, without retries', async () => {
    const id = await s.channel('tg-nosecret', { kind: 'telegram', bot_token: '${secret:NEVER_CREATED}', chat_id: '6', base_url: rx.url });
    await s.sut.send(id, msg, SYSTEM_CALLER);
    await s.sut.worker.tick();
    expect((await s.deliveries(id))[0]).toMatchObject({ status: 'failed', last_error_code: 'secret' });
  });
});

describe('Telegram MarkdownV2', () => {
  it('escapes every reserved character and stays within 4,096 characters', () => {
    const text = telegramText({ title: 'a_b*c', text: 'x.y!(z)-'.repeat(2000), severity: 'info', url: 'https://e.x/a)b' }, 'en', 'MarkdownV2');
    expect([...text].length).toBeLessThanOrEqual(4096);
    expect(text).toContain('a\\_b\\*c');
    expect(text).toContain('x\\.y\\!\\(z\\)\\-');
    expect(text).toContain('(https://e.x/a\\)b)');
  });
});
