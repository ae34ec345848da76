import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayTestApp, type GatewayTestApp } from '../../test/helpers/gateway-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/** The log service as the gateway's built-in `mcps`: the platform's own tools behind the same keys and rules. */
let t: GatewayTestApp;
const CANARY = 'gateway-canary-5b1e9d7a';
beforeAll(async () => {
  t = await createGatewayTestApp();
  expect((await t.call('POST', '/secrets', { name: 'PAGER_TOKEN', value: CANARY })).statusCode).toBe(201);
}, 180_000);
afterAll(async () => {
  await t.closeAndCheck();
});

type ToolResult = { isError?: boolean; content: { text?: string }[]; structuredContent?: Record<string, unknown> };

describe('the log service through the gateway', () => {
  it('/mcp/mcps serves the secret tools as the key; the revealed value is redacted in the protocol log', async () => {
    const { key } = await t.key('oncall-admin', { role: 'admin' });
    const client = await t.connect(key, '/mcp/mcps');
    expect(client.getServerVersion()?.name).toBe('mcps');
    const names = (await client.listTools()).tools.map((x) => x.name).sort();
    expect(names).toEqual(['ack_alert', 'alert_summary', 'analyze_logs', 'cancel_batch', 'capture_dashboard', 'compare_logs', 'download_logs', 'export_report', 'get_alert', 'get_batch', 'get_secret', 'health_check', 'list_alerts', 'list_batches', 'list_channels', 'list_dashboards', 'list_log_files', 'list_monitors', 'list_secrets', 'list_silences', 'list_storage_profiles', 'mine_templates', 'monitor_status', 'rotate_secret', 'search_logs', 'send_notification', 'silence_alerts', 'start_batch', 'update_secret']);
    const got = (await client.callTool({ name: 'get_secret', arguments: { name: 'PAGER_TOKEN', reason: 'gateway test' } })) as ToolResult;
    expect(got.structuredContent?.['value']).toBe(CANARY);

    await waitFor(async () => {
      await t.ctx.servers.recorder.flush();
      const rows = await t.ctx.db.selectFrom('mcp_logs').select('payload').where('method', '=', 'tools/call').execute();
      return rows.some((r) => (r.payload ?? '').includes('[REDACTED:PAGER_TOKEN]'));
    }, 20_000, 'the recorded get_secret result');
    const all = await t.ctx.db.selectFrom('mcp_logs').select(['payload', 'caller']).execute();
    for (const r of all) expect(r.payload ?? '').not.toContain(CANARY);
    expect(all.some((r) => r.caller === 'api_key:oncall-admin')).toBe(true);
    // The read is audited as the key, with its reason.
    const audit = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'secret.reveal').where('actor_name', '=', 'oncall-admin').execute();
    expect(audit).toHaveLength(1);
  });

  it('an operator key sees the tools in the aggregate but cannot read a value', async () => {
    const { key } = await t.key('oncall-operator');
    const client = await t.connect(key);
    const names = (await client.listTools()).tools.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['mcps__list_secrets', 'mcps__get_secret']));
    const denied = (await client.callTool({ name: 'mcps__get_secret', arguments: { name: 'PAGER_TOKEN', reason: 'x' } })) as ToolResult;
    expect(denied.isError).toBe(true);
    expect(denied.content[0]?.text).toMatch(/^forbidden: .*secrets:reveal/);
  });

  it('a key allowed only other tools does not see the log service at all', async () => {
    const { key } = await t.key('echo-only', { allowed_tools: ['everything__echo'] });
    const client = await t.connect(key);
    const names = (await client.listTools()).tools.map((x) => x.name);
    expect(names.filter((n) => n.startsWith('mcps__'))).toEqual([]);
    await expect(client.callTool({ name: 'mcps__list_secrets', arguments: {} })).rejects.toThrow(/not allowed for this API key/);
  });
});
