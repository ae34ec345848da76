import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGroupAlive } from '../servers/process/child-process.js';
import { createConformanceGateway, type ConformanceGateway, type GatewayTestApp } from '../../test/helpers/gateway-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { MAX_CLIENT_REQUESTS } from './sessions/session-server.js';

/**
 * Bad input around server-to-client requests through `/mcp/{server}` (session mode per_session,
 * the conformance fixture upstream over stdio and Streamable HTTP, real SDK clients): a client that
 * answers a request it was never sent, a session closed while the upstream waits for an
 * elicitation, an upstream that floods its client with requests. (A client that never answers a
 * sampling request and the per-session pool at its limit: gateway.client-features.test.ts.)
 */
let g: ConformanceGateway;
let t: GatewayTestApp;
let key: string;

const connect = (server: string, elicitation?: (params: Record<string, unknown>) => Promise<Record<string, unknown>>): Promise<Client> =>
  g.connect(server, {
    name: 'bad-input-client',
    capabilities: { elicitation: { form: {} } },
    setup: (client) =>
      client.setRequestHandler('elicitation/create', async (req) => {
        if (!elicitation) throw new Error('no elicitation handler');
        return (await elicitation(req.params as Record<string, unknown>)) as never;
      }),
  });
const end = (client: Client) => g.end(client);

const structured = (r: Awaited<ReturnType<Client['callTool']>>) => (r.structuredContent ?? {}) as Record<string, unknown>;
const simpleText = async (c: Client) => ((await c.callTool({ name: 'test_simple_text', arguments: {} })).content as { text: string }[])[0]!.text;

beforeAll(async () => {
  g = await createConformanceGateway({ keyName: 'bad-input', servers: [{ session_mode: 'per_session' }] });
  ({ t, key } = g);
}, 60_000);

afterAll(async () => g?.close());

describe.each(['stdio', 'remote'])('per_session, %s upstream', (server) => {
  it('a client that answers a request it was never sent: accepted and dropped, nothing reaches the upstream, the session keeps serving', async () => {
    const client = await connect(server);
    try {
      expect(await simpleText(client)).toBe('This is a simple text response for testing.');
      const stray = [
        { jsonrpc: '2.0', id: `never-sent-${server}`, result: { action: 'accept', content: { name: 'x' } } },
        { jsonrpc: '2.0', id: 4_242_000 + server.length, error: { code: -32603, message: `stray error ${server}` } },
      ];
      for (const body of stray) {
        const res = await fetch(`${t.base}/mcp/${server}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-session-id': g.wire(client).sessionId!,
          },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(202);
      }
      expect(await simpleText(client)).toBe('This is a simple text response for testing.');
      const mentions = (rows: Record<string, unknown>[]) => rows.filter((r) => /never-sent-|stray error/.test(String(r['payload']))).length;
      // The gateway recorded what the client sent (so this check can fail); the upstream got none of it.
      expect(mentions(await t.mcpLog('gateway'))).toBeGreaterThanOrEqual(2);
      expect(mentions(await t.mcpLog(server))).toBe(0);
    } finally {
      await end(client);
    }
  });

  it('a session closed while the upstream waits for its elicitation: the call ends, the upstream request ends with an error, no process is left', async () => {
    let asked!: () => void;
    const wasAsked = new Promise<void>((r) => (asked = r));
    const client = await connect(server, () => {
      asked();
      return new Promise(() => {});
    });
    const pid = structured(await client.callTool({ name: 'whoami', arguments: {} }))['pid'] as number;
    const tag = `closed-${server}-${Date.now()}`;
    const call = client.callTool({ name: 'test_elicitation_watch', arguments: { tag } }).then(
      () => 'answered',
      (err: unknown) => `failed: ${(err as Error).message}`,
    );
    await wasAsked;
    await g.wire(client).terminateSession();
    expect(await call).toMatch(/^failed: /);
    await client.close();
    if (server === 'stdio') {
      // The session's own process: stopped with the session (its request cannot outlive it).
      await waitFor(() => !isGroupAlive(pid), 30_000, 'the session process to stop');
    } else {
      const observer = await connect(server);
      try {
        await waitFor(async () => structured(await observer.callTool({ name: 'outcome', arguments: { tag } }))['outcome'] !== null, 30_000, 'the upstream request to end');
        expect(structured(await observer.callTool({ name: 'outcome', arguments: { tag } }))['outcome']).toMatch(/^error: /);
      } finally {
        await end(observer);
      }
    }
  });

  it(`an upstream that floods its client with requests: at most ${MAX_CLIENT_REQUESTS} wait at once, the rest are refused with a clear error, the platform keeps serving`, async () => {
    let now = 0;
    let most = 0;
    const client = await connect(server, async () => {
      most = Math.max(most, ++now);
      await new Promise((r) => setTimeout(r, 50));
      now--;
      return { action: 'accept', content: { name: 'x' } };
    });
    const bystander = await connect(server);
    try {
      const count = MAX_CLIENT_REQUESTS * 4;
      const [flood, other] = await Promise.all([client.callTool({ name: 'test_elicitation_flood', arguments: { count } }), simpleText(bystander)]);
      const r = structured(flood) as { answered: number; failed: number; errors: string[] };
      expect(most).toBeLessThanOrEqual(MAX_CLIENT_REQUESTS);
      expect(r.answered + r.failed).toBe(count);
      expect(r.answered).toBeGreaterThanOrEqual(MAX_CLIENT_REQUESTS);
      expect(r.failed).toBeGreaterThan(0);
      expect(r.errors).toEqual([expect.stringMatching(new RegExp(`already has ${MAX_CLIENT_REQUESTS} requests from the server waiting for an answer`))]);
      expect(other).toBe('This is a simple text response for testing.');
      expect(await simpleText(client)).toBe('This is a simple text response for testing.');
    } finally {
      await Promise.all([end(client), end(bystander)]);
    }
  });
});
