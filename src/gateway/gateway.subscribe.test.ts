import type { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createGatewayWithEverything, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/**
 * resources/subscribe through the gateway: many sessions share server-everything's one connection.
 * server-everything sends `notifications/resources/updated` for every URI its connection is
 * subscribed to, in the order the URIs were first subscribed, when its `toggle-subscriber-updates`
 * tool switches updates on. Each test uses fresh URIs, so a URI subscribed later is also updated
 * later: a session that got its later URI's update would already have got an earlier one.
 */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayWithEverything();
}, 180_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const doc = (n: number) => `demo://resource/dynamic/text/${n}`;

/** What a client received as notifications/resources/updated, in order. */
const updatesOf = (client: Client): string[] => {
  const seen: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (n) => void seen.push(n.params.uri));
  return seen;
};

/** One burst of updates from server-everything: switch simulated updates on (sends at once) and off. */
const pulse = async (client: Client, tool = 'toggle-subscriber-updates') => {
  await client.callTool({ name: tool, arguments: {} });
  await client.callTool({ name: tool, arguments: {} });
};

const upstreamRequests = async (method: string, uri: string) =>
  (await t.mcpLog('everything', `&method=${method}`)).filter((r) => r['direction'] === 'out' && String(r['payload']).includes(uri));

describe('gateway resources/subscribe', () => {
  it('advertises subscriptions where the server supports them', async () => {
    const { key } = await t.key('caps');
    expect((await t.connect(key, '/mcp')).getServerCapabilities()?.resources?.subscribe).toBe(true);
    expect((await t.connect(key, '/mcp/everything')).getServerCapabilities()?.resources?.subscribe).toBe(true);
    const wb = await t.connect(key, '/mcp/wb');
    expect(wb.getServerCapabilities()?.resources?.subscribe).toBeFalsy();
  });

  it('sends an update only to the session subscribed to that URI', async () => {
    const { key } = await t.key('one');
    const a = await t.connect(key, '/mcp/everything', 'a');
    const b = await t.connect(key, '/mcp/everything', 'b');
    const seenA = updatesOf(a);
    const seenB = updatesOf(b);
    await a.subscribeResource({ uri: doc(101) });
    await b.subscribeResource({ uri: doc(102) });

    await pulse(a);
    await waitFor(() => seenA.includes(doc(101)) && seenB.includes(doc(102)), 15_000, 'both updates');
    expect(new Set(seenA)).toEqual(new Set([doc(101)]));
    expect(new Set(seenB)).toEqual(new Set([doc(102)]));
  });

  it('shares one upstream subscription between sessions; unsubscribing stops it for that session only', async () => {
    const { key } = await t.key('two');
    const a = await t.connect(key, '/mcp/everything', 'a');
    const b = await t.connect(key, '/mcp/everything', 'b');
    const seenA = updatesOf(a);
    const seenB = updatesOf(b);
    await a.subscribeResource({ uri: doc(201) });
    await b.subscribeResource({ uri: doc(201) });
    await a.subscribeResource({ uri: doc(202) });
    // Two sessions, one upstream subscription.
    expect(await upstreamRequests('resources/subscribe', doc(201))).toHaveLength(1);

    await pulse(a);
    await waitFor(() => seenA.includes(doc(202)) && seenB.includes(doc(201)), 15_000, 'first updates');
    expect(seenA.filter((u) => u === doc(201)).length).toBeGreaterThanOrEqual(1);

    await a.unsubscribeResource({ uri: doc(201) });
    // b still holds it: the upstream keeps the subscription.
    expect(await upstreamRequests('resources/unsubscribe', doc(201))).toHaveLength(0);
    const a201 = seenA.filter((u) => u === doc(201)).length;
    const a202 = seenA.filter((u) => u === doc(202)).length;
    const b201 = seenB.filter((u) => u === doc(201)).length;
    await pulse(b);
    await waitFor(
      () => seenA.filter((u) => u === doc(202)).length > a202 && seenB.filter((u) => u === doc(201)).length > b201,
      15_000,
      'second updates',
    );
    // doc(201) is updated before doc(202): a would have got it by now.
    expect(seenA.filter((u) => u === doc(201)).length).toBe(a201);

    // The last session holding it leaves (the client ends its session): the upstream is unsubscribed.
    await (b.transport as StreamableHTTPClientTransport).terminateSession();
    await waitFor(async () => (await upstreamRequests('resources/unsubscribe', doc(201))).length === 1, 10_000, 'upstream unsubscribe');
    expect(await upstreamRequests('resources/unsubscribe', doc(202))).toHaveLength(0);
  });

  it('namespaces URIs on the aggregate endpoint, both ways', async () => {
    const { key } = await t.key('agg');
    const client = await t.connect(key, '/mcp', 'agg');
    const seen = updatesOf(client);
    const uri = `mcps://everything/${doc(301)}`;
    await client.subscribeResource({ uri });
    expect(await upstreamRequests('resources/subscribe', doc(301))).toHaveLength(1);
    await pulse(client, 'everything__toggle-subscriber-updates');
    await waitFor(() => seen.includes(uri), 15_000, 'namespaced update');
    expect(new Set(seen)).toEqual(new Set([uri]));

    await client.unsubscribeResource({ uri });
    expect(await upstreamRequests('resources/unsubscribe', doc(301))).toHaveLength(1);
  });

  it('refuses a server the key may not use, and a server without subscriptions, without forwarding', async () => {
    const { key } = await t.key('wb-only', { allowed_servers: ['wb'] });
    const client = await t.connect(key, '/mcp');
    await expect(client.subscribeResource({ uri: `mcps://everything/${doc(401)}` })).rejects.toThrow(/unknown resource/);
    await expect(client.subscribeResource({ uri: 'mcps://wb/fixture://hello' })).rejects.toThrow(/'wb' does not support resource subscriptions/);
    await expect(client.subscribeResource({ uri: doc(401) })).rejects.toThrow(/mcps:\/\/\{server\}/);
    // The session still serves.
    expect((await client.readResource({ uri: 'mcps://wb/fixture://hello' })).contents[0]).toMatchObject({ text: 'hello from the fixture' });

    // A URI subscribed afterwards by a key that may is forwarded; the refused one never was.
    const { key: all } = await t.key('all-servers');
    await (await t.connect(all, '/mcp')).subscribeResource({ uri: `mcps://everything/${doc(402)}` });
    expect(await upstreamRequests('resources/subscribe', doc(402))).toHaveLength(1);
    expect(await upstreamRequests('resources/subscribe', doc(401))).toHaveLength(0);
  });

  it('subscribes again after the server restarts', async () => {
    const { key } = await t.key('restart');
    const client = await t.connect(key, '/mcp/everything', 'restart');
    const seen = updatesOf(client);
    await client.subscribeResource({ uri: doc(501) });

    const res = await t.call('POST', '/tools/everything/restart');
    expect(res.statusCode, res.body).toBe(200);
    await t.waitState('everything', 'running');
    await t.status('everything');
    await waitFor(async () => (await upstreamRequests('resources/subscribe', doc(501))).length === 2, 15_000, 're-subscribe');

    await pulse(client);
    await waitFor(() => seen.includes(doc(501)), 15_000, 'update after the restart');
  });
});
