import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createGatewayTestApp, SHIFTY, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/** Tool pinning: a changed tool definition is quarantined until an admin approves it. */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('shifty', [SHIFTY]);
}, 180_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const catalogueEntry = async (name: string) => {
  const res = await t.call('GET', '/gateway/tools');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as Array<Record<string, unknown>>).find((x) => x.name === name)!;
};

describe('tool pinning', () => {
  it('quarantines a tool whose description changes, lifts it on revert, and shows it again once approved', async () => {
    const { key } = await t.key('pin-user');
    const client = await t.connect(key);
    const names = async () => (await client.listTools()).tools.map((x) => x.name);
    expect(await names()).toContain('shifty__weather');
    expect(await catalogueEntry('shifty__weather')).toMatchObject({ state: 'approved', server: 'shifty', tool: 'weather', flags: [], approved_by: 'first-use' });

    await client.callTool({ name: 'shifty__rug_pull', arguments: {} });
    await waitFor(async () => !(await names()).includes('shifty__weather'), 20_000, 'weather to be hidden');
    await expect(client.callTool({ name: 'shifty__weather', arguments: { city: 'Paris' } })).rejects.toThrow(/quarantined/);
    const q = await catalogueEntry('shifty__weather');
    expect(q).toMatchObject({ state: 'quarantined', flags: ['changed', 'hidden_text'] });
    expect(JSON.stringify((q.review as { pending: unknown }).pending)).toContain('<U+E0069>');
    expect((q.review as { approved: { description: string } }).approved.description).toBe('Reports the weather for a city');
    // Nothing reached the server for the refused call.
    expect((await t.mcpLog('shifty', '&method=tools/call')).some((r) => String(r.payload).includes('Paris'))).toBe(false);

    // Going back to the approved definition lifts the quarantine.
    await client.callTool({ name: 'shifty__restore', arguments: {} });
    await waitFor(async () => (await names()).includes('shifty__weather'), 20_000, 'weather to come back');

    await client.callTool({ name: 'shifty__rug_pull', arguments: {} });
    await waitFor(async () => !(await names()).includes('shifty__weather'), 20_000, 'weather to be hidden again');
    const pending = await catalogueEntry('shifty__weather');

    const operator = await t.as('operator');
    expect((await t.call('POST', '/gateway/tools/shifty__weather/approve', {}, operator)).statusCode).toBe(403);
    const stale = await t.call('POST', '/gateway/tools/shifty__weather/approve', { hash: '0'.repeat(64) });
    expect(stale.statusCode).toBe(409);
    const badHash = await t.call('POST', '/gateway/tools/shifty__weather/approve', { hash: 'nothex' });
    expect(badHash.statusCode).toBe(400);
    const unknown = await t.call('POST', '/gateway/tools/shifty__nope/approve', {});
    expect(unknown.statusCode).toBe(404);
    const ok = await t.call('POST', '/gateway/tools/shifty__weather/approve', { hash: pending.hash });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ server: 'shifty', tool: 'weather', state: 'approved' });
    const again = await t.call('POST', '/gateway/tools/shifty__weather/approve', {});
    expect(again.statusCode).toBe(409);

    await waitFor(async () => (await names()).includes('shifty__weather'), 20_000, 'weather approved');
    expect((await client.callTool({ name: 'shifty__weather', arguments: { city: 'Oslo' } })).content).toEqual([{ type: 'text', text: 'sunny in Oslo' }]);
    expect(await catalogueEntry('shifty__weather')).toMatchObject({ state: 'approved', approved_by: 'user:admin' });
    // A stopped server's pins stay listed (from the database).
    expect((await t.call('POST', '/tools/shifty/stop')).statusCode).toBe(200);
    expect(await catalogueEntry('shifty__weather')).toMatchObject({ running: false, state: 'approved', approved_by: 'user:admin' });
    const ops = await t.call('GET', '/logs/operations?action=gateway.tool.approve');
    expect(ops.json().items.length).toBeGreaterThanOrEqual(1);
  }, 150_000);
});
