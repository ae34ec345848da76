import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../test/helpers/http-receiver.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { dingtalkRobot } from '../../test/helpers/vendor-receivers.js';
import { localCaller } from '../secrets/secret-caller.js';

/** /api/v1/notifications: channels CRUD (secrets only as references), send test, the delivery log, roles. */
let t: TestApp;
let rx: HttpReceiver;
let admin: { authorization: string };
const api = '/api/v1/notifications';

beforeAll(async () => {
  t = await createTestApp();
  rx = await startHttpReceiver(dingtalkRobot({ token: 'tok-value', secret: 'sec-value' }));
  admin = await t.login();
  const cli = localCaller('cli', 'test');
  await t.ctx.secrets.create({ name: 'DT_TOKEN', value: 'tok-value' }, cli);
  await t.ctx.secrets.create({ name: 'DT_SECRET', value: 'sec-value' }, cli);
});
afterAll(async () => {
  await rx.close();
  await t.close();
});

const dingtalk = () => ({ name: 'ops-dingtalk', language: 'zh-CN', settings: { kind: 'dingtalk', access_token: '${secret:DT_TOKEN}', secret: '${secret:DT_SECRET}', base_url: rx.url } });

describe('channels', () => {
  it('create, read, send test, log: secret values never appear', async () => {
    const created = await t.app.inject({ method: 'POST', url: `${api}/channels`, headers: admin, payload: dingtalk() });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const test = await t.app.inject({ method: 'POST', url: `${api}/channels/${id}/test`, headers: admin });
    expect(test.statusCode).toBe(200);
    expect(test.json()).toMatchObject({ status: 'delivered', attempts: 1, channel: 'ops-dingtalk' });
    expect(rx.requests[0]!.json.markdown.text).toContain('测试通知');
    const list = await t.app.inject({ method: 'GET', url: `${api}/channels`, headers: admin });
    const log = await t.app.inject({ method: 'GET', url: `${api}/deliveries?channel=ops-dingtalk`, headers: admin });
    expect(log.json().items).toHaveLength(1);
    for (const body of [created.body, list.body, log.body]) {
      expect(body).not.toContain('tok-value');
      expect(body).not.toContain('sec-value');
    }
    expect(list.json().items[0].settings.access_token).toBe('${secret:DT_TOKEN}');
  });

  it('a clear-text token is refused: secrets only by reference', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${api}/channels`, headers: admin, payload: { ...dingtalk(), name: 'clear', settings: { ...dingtalk().settings, access_token: 'tok-value' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/secret reference/);
  });

  it('a duplicate name is a conflict; update and delete work', async () => {
    expect((await t.app.inject({ method: 'POST', url: `${api}/channels`, headers: admin, payload: dingtalk() })).statusCode).toBe(409);
    const put = await t.app.inject({ method: 'PUT', url: `${api}/channels/ops-dingtalk`, headers: admin, payload: { enabled: false } });
    expect(put.json().enabled).toBe(false);
    expect((await t.app.inject({ method: 'DELETE', url: `${api}/channels/ops-dingtalk`, headers: admin })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `${api}/channels/ops-dingtalk`, headers: admin })).statusCode).toBe(404);
  });

  it('roles: viewers see nothing, operators read and test, only admins manage', async () => {
    const viewer = await t.as('viewer');
    const operator = await t.as('operator');
    expect((await t.app.inject({ method: 'GET', url: `${api}/channels`, headers: viewer })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `${api}/deliveries`, headers: operator })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `${api}/channels`, headers: operator, payload: { ...dingtalk(), name: 'op' } })).statusCode).toBe(403);
  });

  it('mutations are in the operation log', async () => {
    const rows = await t.ctx.db.selectFrom('operation_logs').select(['action']).where('action', 'like', 'notify.%').execute();
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['notify.channel.create', 'notify.channel.test', 'notify.channel.update', 'notify.channel.delete']));
  });
});
