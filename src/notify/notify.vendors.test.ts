import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../test/helpers/http-receiver.js';
import { type NotifySetup, setUpNotify } from '../../test/helpers/notify-setup.js';
import { dingtalkRobot, feishuBot, slackWebhook, telegramBot, wecomRobot } from '../../test/helpers/vendor-receivers.js';
import { SYSTEM_CALLER } from '../secrets/secret-caller.js';
import { renderAlertGroupMessage } from './alert-group-message.js';
import type { NotifyMessage } from './notify-message.js';

/**
 * Each channel kind against a local receiver playing the vendor: the receiver checks the signature
 * and limits as the vendor documents them and answers with the vendor's shapes.
 */
let s: NotifySetup;
let rx: HttpReceiver;
const alert = { title: 'Disk almost full on db-1', text: '/var is 97% full', severity: 'critical' as const, fields: [{ name: 'host', value: 'db-1' }], url: 'https://grafana.example/d/disk' };

beforeAll(async () => {
  s = await setUpNotify();
  rx = await startHttpReceiver(() => ({ status: 500, body: 'unset' }));
});
afterAll(async () => {
  await rx.close();
  await s.close();
});
afterEach(() => {
  rx.requests.length = 0;
});

async function sendAndTick(channelId: string, msg: NotifyMessage = alert) {
  await s.sut.send(channelId, msg, SYSTEM_CALLER);
  await s.sut.worker.tick();
  return s.deliveries(channelId);
}

describe('DingTalk robot', () => {
  it('signs with timestamp (ms) and sign = urlencode(base64(HMAC-SHA256(secret, "ts\\nsecret"))) and sends markdown with the keyword', async () => {
    rx.answer(dingtalkRobot({ token: 'dt-token', secret: 'SECabc+/=', keyword: 'ALERT' }));
    const id = await s.channel('dingtalk-ok', { kind: 'dingtalk', access_token: await s.secret('DT_TOKEN', 'dt-token'), secret: await s.secret('DT_SECRET', 'SECabc+/='), keyword: 'ALERT', base_url: rx.url });
    const [d] = await sendAndTick(id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(rx.requests).toHaveLength(1);
    const ts = Number(new URLSearchParams(rx.requests[0]!.url.split('?')[1]).get('timestamp'));
    expect(Math.abs(ts - s.clock.ms)).toBeLessThan(5);
    expect(rx.requests[0]!.json.markdown.text).toContain('**host**: db-1');
  });

  it('a wrong secret is refused by the robot (errcode 310000): failed at once, the code kept', async () => {
    rx.answer(dingtalkRobot({ token: 'dt-token', secret: 'the-real-one' }));
    const id = await s.channel('dingtalk-bad', { kind: 'dingtalk', access_token: '${secret:DT_TOKEN}', secret: await s.secret('DT_WRONG', 'not-it'), base_url: rx.url });
    const [d] = await sendAndTick(id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, last_error_code: '310000' });
    expect(rx.requests).toHaveLength(1);
  });
});

describe('an alert group, as the routing sends it', () => {
  it('renderAlertGroupMessage in Chinese reaches a signed DingTalk robot', async () => {
    rx.answer(dingtalkRobot({ token: 'dt-token', secret: 'SECabc+/=' }));
    const id = await s.channel('dingtalk-alerts', { kind: 'dingtalk', access_token: '${secret:DT_TOKEN}', secret: '${secret:DT_SECRET}', base_url: rx.url }, 'zh-CN');
    const group = { groupLabels: { alertname: 'DiskFull' }, alerts: [{ labels: { alertname: 'DiskFull', severity: 'critical' }, annotations: { summary: '/var 97%' }, status: 'firing' as const, startsAt: '2026-12-02T10:00:00Z' }] };
    const [d] = await sendAndTick(id, renderAlertGroupMessage(group, 'zh-CN'));
    expect(d!.status).toBe('delivered');
    expect(rx.requests[0]!.json.markdown.text).toContain('🔴 [严重] DiskFull (1 告警中)');
    expect(rx.requests[0]!.json.markdown.text).toContain('/var 97%');
  });
});

describe('Feishu custom bot', () => {
  it('puts timestamp (s) and sign = base64(HMAC-SHA256(key "ts\\nsecret", "")) in the body', async () => {
    rx.answer(feishuBot({ token: 'fs-hook', secret: 'fs-secret' }));
    const id = await s.channel('feishu', { kind: 'feishu', hook_token: await s.secret('FS_HOOK', 'fs-hook'), secret: await s.secret('FS_SECRET', 'fs-secret'), base_url: rx.url }, 'zh-CN');
    const [d] = await sendAndTick(id);
    expect(d!.status).toBe('delivered');
    const body = rx.requests[0]!.json;
    expect(body.sign).toBe(createHmac('sha256', `${body.timestamp}\nfs-secret`).update('').digest('base64'));
    expect(body.card.header.title.content).toContain('严重');
  });

  it('a wrong secret is answered 19021 and not retried', async () => {
    rx.answer(feishuBot({ token: 'fs-hook', secret: 'other' }));
    const id = await s.channel('feishu-bad', { kind: 'feishu', hook_token: '${secret:FS_HOOK}', secret: '${secret:FS_SECRET}', base_url: rx.url });
    expect((await sendAndTick(id))[0]).toMatchObject({ status: 'failed', last_error_code: '19021' });
  });
});

describe('WeCom group robot', () => {
  it('cuts a long Chinese markdown message to 4,096 UTF-8 bytes with a marker', async () => {
    rx.answer(wecomRobot({ key: 'wc-key' }));
    const id = await s.channel('wecom', { kind: 'wecom', key: await s.secret('WC_KEY', 'wc-key'), base_url: rx.url }, 'zh-CN');
    const [d] = await sendAndTick(id, { ...alert, text: '磁盘空间不足，'.repeat(1000) });
    expect(d!.status).toBe('delivered');
    const content = rx.requests[0]!.json.markdown.content as string;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(content)).toBeGreaterThan(4000);
    expect(content.endsWith('…(已截断)')).toBe(true);
  });

  it('text format: at most 2,048 bytes', async () => {
    const id = await s.channel('wecom-text', { kind: 'wecom', key: '${secret:WC_KEY}', format: 'text', base_url: rx.url });
    const [d] = await sendAndTick(id, { ...alert, text: 'x'.repeat(5000) });
    expect(d!.status).toBe('delivered');
    expect(Buffer.byteLength(rx.requests[0]!.json.text.content)).toBeLessThanOrEqual(2048);
  });
});

describe('Telegram bot', () => {
  it('sendMessage with parse mode HTML, escaped, within 4,096 characters', async () => {
    rx.answer(telegramBot({ token: '123:abc' }));
    const id = await s.channel('telegram', { kind: 'telegram', bot_token: await s.secret('TG_TOKEN', '123:abc'), chat_id: '-100200300', base_url: rx.url });
    const [d] = await sendAndTick(id, { ...alert, text: '<script> & '.repeat(1000) });
    expect(d!.status).toBe('delivered');
    const body = rx.requests[0]!.json;
    expect(body).toMatchObject({ chat_id: '-100200300', parse_mode: 'HTML' });
    expect([...body.text].length).toBeLessThanOrEqual(4096);
    expect(body.text).not.toContain('<script>');
    expect(body.text).toContain('<b>host</b>: db-1');
  });

  it('a bad token: 401 Unauthorized, not retried, error_code kept', async () => {
    const id = await s.channel('telegram-bad', { kind: 'telegram', bot_token: await s.secret('TG_BAD', '999:nope'), chat_id: '42', base_url: rx.url });
    expect((await sendAndTick(id))[0]).toMatchObject({ status: 'failed', last_error_code: '401' });
  });
});

describe('Slack and the generic webhook', () => {
  it('Slack: text and blocks (header ≤ 150 chars)', async () => {
    rx.answer(slackWebhook());
    const id = await s.channel('slack', { kind: 'slack', webhook_url: await s.secret('SLACK_URL', `${rx.url}/services/T/B/X`) });
    const [d] = await sendAndTick(id, { ...alert, title: 'T'.repeat(400) });
    expect(d!.status).toBe('delivered');
    const body = rx.requests[0]!.json;
    expect(body.text).toContain('TTT');
    expect(body.blocks[0].type).toBe('header');
    expect([...body.blocks[0].text.text].length).toBeLessThanOrEqual(150);
  });

  it('webhook: JSON body signed with X-MCPS-Signature = sha256=hex(HMAC(secret, "ts.body"))', async () => {
    rx.answer(() => ({ status: 204, body: '' }));
    const id = await s.channel('hook', { kind: 'webhook', url: `${rx.url}/hook`, secret: await s.secret('HOOK_KEY', 'k3y') });
    expect((await sendAndTick(id))[0]!.status).toBe('delivered');
    const r = rx.requests[0]!;
    const expected = `sha256=${createHmac('sha256', 'k3y').update(`${String(r.headers['x-mcps-timestamp'])}.${r.body}`).digest('hex')}`;
    expect(r.headers['x-mcps-signature']).toBe(expected);
    expect(r.json).toMatchObject({ title: alert.title, severity: 'critical', language: 'en' });
  });
});

describe('outbound guard', () => {
  it('a channel URL on a metadata address is refused when saved', async () => {
    await expect(s.channel('meta', { kind: 'webhook', url: 'http://169.254.169.254/latest' })).rejects.toMatchObject({ code: 'unprocessable' });
  });

  it('a secret URL resolving to a refused address fails at send time without a request', async () => {
    const id = await s.channel('slack-meta', { kind: 'slack', webhook_url: await s.secret('SLACK_META', 'http://169.254.169.254/hook') });
    expect((await sendAndTick(id))[0]).toMatchObject({ status: 'failed', last_error_code: 'forbidden' });
  });
});
