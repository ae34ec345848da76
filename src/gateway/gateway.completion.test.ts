import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayWithEverything, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/** completion/complete through the gateway, against server-everything's completable prompt and template. */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayWithEverything();
}, 180_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const TEMPLATE = 'demo://resource/dynamic/text/{resourceId}';

describe('gateway completion/complete', () => {
  it('completes prompt arguments and resource templates at /mcp/{server}, unchanged', async () => {
    const { key } = await t.key('one');
    const client = await t.connect(key, '/mcp/everything');
    expect(client.getServerCapabilities()?.completions).toBeDefined();

    const dept = await client.complete({ ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'E' } });
    expect(dept.completion.values).toEqual(['Engineering']);
    // The context (arguments already chosen) reaches the server.
    const lead = await client.complete({
      ref: { type: 'ref/prompt', name: 'completable-prompt' },
      argument: { name: 'name', value: '' },
      context: { arguments: { department: 'Sales' } },
    });
    expect(lead.completion.values).toEqual(['David', 'Eve', 'Frank']);
    const id = await client.complete({ ref: { type: 'ref/resource', uri: TEMPLATE }, argument: { name: 'resourceId', value: '7' } });
    expect(id.completion.values).toEqual(['7']);

    // A server without completions does not advertise them on its endpoint.
    expect((await t.connect(key, '/mcp/wb')).getServerCapabilities()?.completions).toBeUndefined();
  });

  it('routes namespaced prompt names and template URIs on /mcp; a server without completions completes nothing', async () => {
    const { key } = await t.key('agg');
    const client = await t.connect(key, '/mcp');
    expect(client.getServerCapabilities()?.completions).toBeDefined();

    const dept = await client.complete({ ref: { type: 'ref/prompt', name: 'everything__completable-prompt' }, argument: { name: 'department', value: 'S' } });
    expect(dept.completion.values).toEqual(['Sales', 'Support']);
    const id = await client.complete({ ref: { type: 'ref/resource', uri: `mcps://everything/${TEMPLATE}` }, argument: { name: 'resourceId', value: '12' } });
    expect(id.completion.values).toEqual(['12']);

    const none = await client.complete({ ref: { type: 'ref/prompt', name: 'wb__greet' }, argument: { name: 'who', value: 'A' } });
    expect(none.completion.values).toEqual([]);
    await expect(client.complete({ ref: { type: 'ref/prompt', name: 'everything__nope' }, argument: { name: 'x', value: '' } })).rejects.toThrow(/unknown prompt/);
  });

  it('refuses a server the key may not use', async () => {
    const { key } = await t.key('wb-only', { allowed_servers: ['wb'] });
    const client = await t.connect(key, '/mcp');
    await expect(
      client.complete({ ref: { type: 'ref/prompt', name: 'everything__completable-prompt' }, argument: { name: 'department', value: 'E' } }),
    ).rejects.toThrow(/unknown prompt/);
    await expect(
      client.complete({ ref: { type: 'ref/resource', uri: `mcps://everything/${TEMPLATE}` }, argument: { name: 'resourceId', value: '1' } }),
    ).rejects.toThrow(/unknown resource/);
    const rows = (await t.mcpLog('everything', '&method=completion/complete')).filter((r) => r['caller'] === 'api_key:wb-only');
    expect(rows).toHaveLength(0);
  });
});
