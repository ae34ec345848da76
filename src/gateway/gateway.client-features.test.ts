import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderedTransport } from '../servers/connection/ordered-transport.js';
import { isGroupAlive } from '../servers/process/child-process.js';
import { createConformanceGateway, type ConformanceGateway } from '../../test/helpers/gateway-app.js';
import { descendantsOf } from '../../test/helpers/processes.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/**
 * Server-to-client requests through `/mcp/{server}`, with the conformance fixture as upstream over
 * stdio and over Streamable HTTP, and real SDK clients: sampling, elicitation (form and URL
 * modes) and roots reach the client session whose call caused them in session mode per_session;
 * a shared connection refuses them with a clear error; two clients each get only their own; a
 * client that never answers; the per-session pool at its limit; no orphan after 200 sessions;
 * progress before the result, 1,000 calls in a row.
 */
const POOL = 3;

let g: ConformanceGateway;

type Handlers = {
  sampling?: (params: Record<string, unknown>) => Promise<Record<string, unknown>>;
  elicitation?: (params: Record<string, unknown>) => Promise<Record<string, unknown>>;
  roots?: () => Promise<Record<string, unknown>>;
};

/** An SDK client on `/mcp/{server}` declaring sampling, elicitation (form, url) and roots. */
const connect = (server: string, h: Handlers = {}): Promise<Client> =>
  g.connect(server, {
    name: 'features-client',
    capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } },
    setup: (client) => {
      client.setRequestHandler('sampling/createMessage', async (req) => {
        if (!h.sampling) throw new Error('no sampling handler');
        return (await h.sampling(req.params as Record<string, unknown>)) as never;
      });
      client.setRequestHandler('elicitation/create', async (req) => {
        if (!h.elicitation) throw new Error('no elicitation handler');
        return (await h.elicitation(req.params as Record<string, unknown>)) as never;
      });
      client.setRequestHandler('roots/list', async () => (h.roots ? ((await h.roots()) as never) : { roots: [] }));
    },
    // The SDK client itself drops a progress notification read in the same chunk as its result
    // (ordered-transport.ts): wrapped, the test sees what the gateway put on the wire, in order.
    wrap: (transport) => new OrderedTransport(transport),
  });

/** Ends the client's session at the gateway (DELETE) and closes it. */
const end = (client: Client) => g.end(client);

/** Runs `fn` with the client, then ends its session whatever happened. */
async function using<T>(client: Client | Promise<Client>, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await client;
  try {
    return await fn(c);
  } finally {
    await end(c);
  }
}

const structured = (r: Awaited<ReturnType<Client['callTool']>>) => (r.structuredContent ?? {}) as Record<string, unknown>;
const textOf = (r: Awaited<ReturnType<Client['callTool']>>) => (r.content as { type: string; text: string }[])[0]!.text;
const sample = async () => ({ role: 'assistant', content: { type: 'text', text: 'an answer from the client' }, model: 'test-model', stopReason: 'endTurn' });

beforeAll(async () => {
  g = await createConformanceGateway({
    env: { MCPS_GATEWAY_SESSION_POOL: String(POOL) },
    keyName: 'features',
    servers: [{ session_mode: 'per_session' }, { suffix: '-shared', session_mode: 'shared' }],
  });
}, 60_000);

afterAll(async () => g?.close());

describe.each(['stdio', 'remote'])('per_session, %s upstream', (server) => {
  it('forwards sampling to the calling client and returns its answer to the upstream', async () => {
    const seen: Record<string, unknown>[] = [];
    const client = await connect(server, { sampling: async (p) => (seen.push(p), sample()) });
    const r = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'what is 2+2?' } });
    expect(textOf(r)).toBe('LLM response: an answer from the client');
    expect(seen).toEqual([expect.objectContaining({ messages: [{ role: 'user', content: { type: 'text', text: 'what is 2+2?' } }], maxTokens: 100 })]);
    await end(client);
  });

  it('forwards form and URL elicitation; a decline reaches the upstream as a decline', async () => {
    const modes: unknown[] = [];
    const client = await connect(server, {
      elicitation: async (p) => {
        modes.push(p['mode'] ?? 'form');
        return p['mode'] === 'url' ? { action: 'decline' } : { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } };
      },
    });
    const form = await client.callTool({ name: 'test_elicitation', arguments: { message: 'who are you?' } });
    expect(textOf(form)).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
    const url = await client.callTool({ name: 'test_elicitation_url', arguments: { url: 'https://example.com/consent' } });
    expect(textOf(url)).toBe('URL elicitation: action=decline');
    expect(modes).toEqual(['form', 'url']);
    await end(client);
  });

  it("answers roots/list with the client's roots and passes roots list_changed to the upstream", async () => {
    let roots = [{ uri: 'file:///work/a', name: 'a' }];
    const client = await connect(server, { roots: async () => ({ roots }) });
    expect((await client.callTool({ name: 'test_roots', arguments: {} })).structuredContent).toEqual({ roots });
    roots = [{ uri: 'file:///work/b', name: 'b' }];
    await client.sendRootsListChanged();
    await waitFor(async () => structured(await client.callTool({ name: 'roots_changes', arguments: {} }))['count'] === 1, 10_000, 'the upstream to see list_changed');
    expect((await client.callTool({ name: 'test_roots', arguments: {} })).structuredContent).toEqual({ roots });
    await end(client);
  });

  it('two clients calling at once each get only their own elicitation', async () => {
    const got: Record<string, string[]> = { alice: [], bob: [] };
    const clientFor = (who: 'alice' | 'bob') =>
      connect(server, {
        elicitation: async (p) => {
          got[who]!.push(String(p['message']));
          await new Promise((r) => setTimeout(r, 30));
          return { action: 'accept', content: { username: who, email: `${who}@example.com` } };
        },
      });
    const [alice, bob] = await Promise.all([clientFor('alice'), clientFor('bob')]);
    const calls = await Promise.all(
      [0, 1, 2].flatMap((i) => [
        alice.callTool({ name: 'test_elicitation', arguments: { message: `for alice ${i}` } }),
        bob.callTool({ name: 'test_elicitation', arguments: { message: `for bob ${i}` } }),
      ]),
    );
    calls.forEach((r, i) => expect(textOf(r)).toContain(`"username":"${i % 2 === 0 ? 'alice' : 'bob'}"`));
    expect(got['alice']!.sort()).toEqual(['for alice 0', 'for alice 1', 'for alice 2']);
    expect(got['bob']!.sort()).toEqual(['for bob 0', 'for bob 1', 'for bob 2']);
    await Promise.all([end(alice), end(bob)]);
  });

  it("a call answered while another call's elicitation waits for the client leaves that elicitation alone", async () => {
    let quick: Promise<unknown> = Promise.resolve();
    // The client answers only once the other call has its result.
    await using(connect(server, { elicitation: async () => (await quick, { action: 'accept', content: { name: 'ada' } }) }), async (client) => {
      // The elicitation comes 300 ms into the first call, while the second (600 ms) is in flight too.
      const asked = client.callTool({ name: 'test_elicitation_late', arguments: { message: 'late', ms: 300 } });
      quick = client.callTool({ name: 'test_wait', arguments: { tag: `quick-${server}`, ms: 600 } });
      expect(textOf((await quick) as Awaited<typeof asked>)).toBe('done');
      expect(textOf(await asked)).toBe('answered: accept');
    });
  });

  it('a client that never answers a sampling request: the upstream call times out cleanly, the client is told, the session keeps serving', async () => {
    const cancelled: unknown[] = [];
    await using(connect(server, { sampling: () => new Promise(() => {}) }), async (client) => {
      client.setNotificationHandler('notifications/cancelled', (n) => void cancelled.push(n.params));
      const r = await client.callTool({ name: 'test_sampling_timeout', arguments: { timeoutMs: 300 } });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/^sampling failed: .*timed out/i);
      await waitFor(() => cancelled.length === 1, 10_000, 'notifications/cancelled at the client');
      expect((await client.callTool({ name: 'test_simple_text', arguments: {} })).content).toEqual([{ type: 'text', text: 'This is a simple text response for testing.' }]);
    });
  });
});

describe('per_session, remote upstream (the stream a request rode with names the call that caused it)', () => {
  it('an elicitation is given up as soon as the call that caused it is over, while an older call goes on', async () => {
    const cancelled: unknown[] = [];
    const caller = new AbortController();
    // The client is asked, and gives up the call that caused it instead of answering.
    await using(connect('remote', { elicitation: () => (caller.abort('the user closed the dialog'), new Promise(() => {})) }), async (client) => {
      client.setNotificationHandler('notifications/cancelled', (n) => void cancelled.push(n.params));
      const older = new AbortController();
      let olderOver = false;
      const long = client.callTool({ name: 'test_wait', arguments: { tag: 'older-remote', ms: 8_000 } }, { signal: older.signal }).catch((e: unknown) => e);
      void long.finally(() => (olderOver = true));
      const caused = await client.callTool({ name: 'test_elicitation_late', arguments: { message: 'late', ms: 300 } }, { signal: caller.signal }).catch((e: unknown) => e);
      expect(caused).toBeInstanceOf(Error);
      // Not held until every call in flight is over (what a stdio upstream, which cannot say, gets).
      await waitFor(() => cancelled.length === 1 || olderOver, 15_000, 'the elicitation to be cancelled at the client');
      expect(olderOver).toBe(false);
      older.abort('done with it');
      await long;
    });
  });
});

describe('shared, stdio-shared', () => {
  const server = 'stdio-shared';
  it('refuses the upstream sampling request with a clear error naming the fix', async () => {
    let asked = false;
    const client = await connect(server, { sampling: async () => ((asked = true), sample()) });
    const err = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).message).toMatch(/runs in shared session mode.*set the server's session_mode to per_session/);
    expect(asked).toBe(false);
    expect(textOf(await client.callTool({ name: 'test_simple_text', arguments: {} }))).toBe('This is a simple text response for testing.');
    await end(client);
  });
});

describe('shared, remote-shared (Streamable HTTP: the stream a request rode with names its caller)', () => {
  const server = 'remote-shared';
  it('forwards sampling and elicitation to the client whose call caused them', async () => {
    const client = await connect(server, { sampling: async () => sample(), elicitation: async () => ({ action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }) });
    expect(textOf(await client.callTool({ name: 'test_sampling', arguments: { prompt: 'x' } }))).toBe('LLM response: an answer from the client');
    expect(textOf(await client.callTool({ name: 'test_elicitation', arguments: { message: 'who?' } }))).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
    await end(client);
  });

  it('refuses a request the server sends on its standalone stream (not tied to one call): no client is asked', async () => {
    let asked = false;
    const client = await connect(server, { elicitation: async () => ((asked = true), { action: 'accept', content: {} }) });
    const err = await client.callTool({ name: 'test_elicitation_unrelated', arguments: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).message).toMatch(/runs in shared session mode.*cannot be tied to the client that caused it/);
    expect(asked).toBe(false);
    await end(client);
  });

  it('two clients calling at once on the one shared connection each get only their own elicitation', async () => {
    const got: Record<string, string[]> = { alice: [], bob: [] };
    const clientFor = (who: 'alice' | 'bob') =>
      connect(server, {
        elicitation: async (p) => {
          got[who]!.push(String(p['message']));
          await new Promise((r) => setTimeout(r, 30));
          return { action: 'accept', content: { username: who, email: `${who}@example.com` } };
        },
      });
    const [alice, bob] = await Promise.all([clientFor('alice'), clientFor('bob')]);
    const calls = await Promise.all(
      [0, 1, 2].flatMap((i) => [
        alice.callTool({ name: 'test_elicitation', arguments: { message: `for alice ${i}` } }),
        bob.callTool({ name: 'test_elicitation', arguments: { message: `for bob ${i}` } }),
      ]),
    );
    calls.forEach((r, i) => expect(textOf(r)).toContain(`"username":"${i % 2 === 0 ? 'alice' : 'bob'}"`));
    expect(got['alice']!.sort()).toEqual(['for alice 0', 'for alice 1', 'for alice 2']);
    expect(got['bob']!.sort()).toEqual(['for bob 0', 'for bob 1', 'for bob 2']);
    await Promise.all([end(alice), end(bob)]);
  });
});

describe.each(['stdio', 'remote', 'stdio-shared', 'remote-shared'])('ordering, %s', (server) => {
  it('1,000 calls in a row: every progress notification reaches the client before its result', { timeout: 240_000 }, async () => {
    const missing = await using(connect(server), async (client) => {
      const out: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const seen: number[] = [];
        await client.callTool({ name: 'test_progress_burst', arguments: { steps: 3 } }, { onprogress: (p) => void seen.push(p.progress) });
        if (seen.join() !== '1,2,3') out.push(i);
      }
      return out;
    });
    expect(missing).toEqual([]);
  });
});

describe('the per_session pool', () => {
  it(`at its limit (${POOL}), every upstream busy: a new session's call gets a clear JSON-RPC error at once; once idle, the least recently used is reclaimed for room`, async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let asked = 0;
    const waiting = async () => {
      asked++;
      await gate;
      return { action: 'decline' };
    };
    const clients = await Promise.all(Array.from({ length: POOL }, () => connect('stdio', { elicitation: waiting })));
    const extra = await connect('stdio');
    try {
      const pending = clients.map((c) => c.callTool({ name: 'test_elicitation', arguments: { message: 'hold on' } }));
      await waitFor(() => asked === POOL, 30_000, 'every session to be asked');
      const err = await extra.callTool({ name: 'whoami', arguments: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe(-32000);
      expect((err as ProtocolError).message).toMatch(new RegExp(`has ${POOL} per-session connections open, its limit \\(MCPS_GATEWAY_SESSION_POOL\\), each with a call in flight`));
      release();
      for (const r of await Promise.all(pending)) expect(textOf(r)).toBe('User response: action=decline, content={}');
      // Idle now: the extra session gets the least recently used one's place; that one reopens at its next call.
      expect(typeof structured(await extra.callTool({ name: 'whoami', arguments: {} }))['pid']).toBe('number');
      for (const c of clients) expect(typeof structured(await c.callTool({ name: 'whoami', arguments: {} }))['pid']).toBe('number');
    } finally {
      await Promise.all([...clients, extra].map(end));
    }
  });

  it('200 sessions opened and closed leave no process behind', { timeout: 900_000 }, async () => {
    const before = new Set(descendantsOf(process.pid));
    const pids: number[] = [];
    for (let i = 0; i < 200; i += POOL) {
      const batch = await Promise.all(Array.from({ length: Math.min(POOL, 200 - i) }, () => connect('stdio')));
      for (const c of batch) pids.push(structured(await c.callTool({ name: 'whoami', arguments: {} }))['pid'] as number);
      await Promise.all(batch.map(end));
    }
    expect(new Set(pids).size).toBe(200);
    await waitFor(() => pids.every((p) => !isGroupAlive(p)), 30_000, 'every session process to stop');
    expect(descendantsOf(process.pid).filter((p) => !before.has(p))).toEqual([]);
  });
});
