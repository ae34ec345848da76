import { lookup as dnsLookup } from 'node:dns';
import { createServer, type Server } from 'node:http';
import { Client } from '@modelcontextprotocol/client';
import fc from 'fast-check';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundGuard } from '../../src/lib/outbound-guard.js';
import { createOutboundPolicy } from '../../src/lib/outbound-policy.js';
import { createPipeRelay } from '../../src/pipe/pipe-relay.js';
import { createRemoteTransport } from '../../src/servers/connection/remote-transport.js';
import { fixtureConfig } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { armTripwire, hostileUrls, metadataUrls, startCanary, type Canary } from './ssrf-corpus.js';

/**
 * SSRF corpus: every hostile URL through every feature that takes one (remote MCP servers over
 * Streamable HTTP and SSE: refused when created, else started; publications of a server and of the
 * gateway: create and update), a redirect and a rebinding resolver, and 10,000 generated addresses
 * against the policy.
 * A loopback canary must see no connection, and the tripwire no attempt to leave loopback.
 */
const REFUSAL = /refused|not allowed|user:password@|needs a http|must be a ws|not a valid URL|invalid url|control characters|redirect/i;
const tally = { urls: 0, generated: 0, wrong: [] as string[] };
let canary: Canary;
let tripwire: ReturnType<typeof armTripwire>;

beforeAll(async () => {
  canary = await startCanary();
  tripwire = armTripwire();
});
afterAll(async () => {
  tripwire.disarm();
  await canary.close();
  const wrong = tally.wrong.length + tripwire.hits.length;
  console.log(`ssrf: ${canary.connections()} canary connections over ${tally.urls} hostile URLs, ${tally.generated} generated addresses, ${wrong} wrongly allowed`);
});

type Auth = { authorization: string };

/** Records one attempt: refused (an explicit refusal) or wrongly allowed. */
function judge(feature: string, url: string, outcome: string): void {
  tally.urls++;
  if (!REFUSAL.test(outcome)) tally.wrong.push(`${feature} ${JSON.stringify(url)}: ${outcome}`);
}

async function inChunks<T>(items: T[], size: number, run: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map((item, k) => run(item, i + k)));
}

/** A remote MCP server with this URL, created and started: what the platform says about it (`4xx detail` when the create is refused). */
async function remoteServer(t: TestApp, auth: Auth, name: string, transport: string, url: string): Promise<string> {
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/tools', headers: auth, payload: { name, transport, url, restart_policy: 'never' } });
  if (created.statusCode !== 201) return `${created.statusCode} ${created.json().detail as string}`;
  try {
    await t.app.inject({ method: 'POST', url: `/api/v1/tools/${name}/start`, headers: auth });
    let status = { state: 'starting', last_error: null as string | null };
    await waitFor(async () => {
      status = (await t.app.inject({ method: 'GET', url: `/api/v1/tools/${name}/status`, headers: auth })).json();
      return status.state !== 'starting';
    }, 20_000, `${name} to leave starting`);
    return status.state === 'running' ? 'running' : (status.last_error ?? status.state);
  } finally {
    await t.app.inject({ method: 'DELETE', url: `/api/v1/tools/${name}`, headers: auth });
  }
}

/** Every way to give the platform an endpoint: publish a server, publish the gateway, change an endpoint. */
async function publications(t: TestApp, auth: Auth, urls: string[], expectMetadata = false): Promise<void> {
  const fx = fixtureConfig('calc', 'tiny');
  await t.app.inject({ method: 'POST', url: '/api/v1/tools', headers: auth, payload: { name: 'calc', transport: 'stdio', command: fx.command, args: fx.args } });
  const key = (await t.app.inject({ method: 'POST', url: '/api/v1/gateway/api-keys', headers: auth, payload: { name: `pub-${expectMetadata}`, role: 'operator' } })).json();
  const holder = await t.app.inject({ method: 'POST', url: '/api/v1/publications', headers: auth, payload: { target: 'gateway', api_key_id: key.api_key.id, endpoint: 'wss://unresolvable.invalid/mcp' } });
  expect(holder.statusCode, holder.body).toBe(201);
  const ws = (u: string) => u.replace(/^http(s?):/i, 'ws$1:');
  await inChunks(urls, 8, async (url) => {
    const tries: [string, 'POST' | 'PATCH', string, object][] = [
      ['publish a server', 'POST', '/api/v1/tools/calc/publish', { endpoint: ws(url) }],
      ['publish the gateway', 'POST', '/api/v1/publications', { target: 'gateway', api_key_id: key.api_key.id, endpoint: ws(url) }],
      ['change an endpoint', 'PATCH', `/api/v1/publications/${holder.json().id as string}`, { endpoint: ws(url) }],
    ];
    for (const [feature, method, path, payload] of tries) {
      const res = await t.app.inject({ method, url: path, headers: auth, payload });
      const outcome = res.statusCode >= 400 ? `${res.statusCode} ${res.json().detail as string}` : `accepted ${res.statusCode}`;
      judge(feature, url, outcome);
      if (expectMetadata) expect(outcome, url).toMatch(/metadata|not a valid URL/);
    }
  });
  await t.app.inject({ method: 'DELETE', url: '/api/v1/tools/calc', headers: auth });
}

/** An object-storage profile with this endpoint: created (refused when saved), else its connection test run. */
async function storageProfiles(t: TestApp, auth: Auth, urls: string[], expectMetadata = false): Promise<void> {
  const keys = { access_key_id: '${secret:SSRF_KEY_ID}', secret_access_key: '${secret:SSRF_KEY}' };
  await inChunks(urls, 8, async (url, i) => {
    const name = `ssrf-${expectMetadata ? 'meta' : 'url'}-${i}`;
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/storage/profiles', headers: auth, payload: { name, provider: 's3', region: 'us-east-1', bucket: 'logs', endpoint: url, path_style: true, ...keys } });
    let outcome = created.statusCode >= 400 ? `${created.statusCode} ${created.json().detail as string}` : `accepted ${created.statusCode}`;
    if (created.statusCode === 201) {
      const id = created.json().id as string;
      const tried = await t.app.inject({ method: 'POST', url: `/api/v1/storage/profiles/${id}/test`, headers: auth });
      outcome = `${outcome}, then test ${tried.statusCode} ${tried.body.slice(0, 300)}`;
      await t.app.inject({ method: 'DELETE', url: `/api/v1/storage/profiles/${id}`, headers: auth });
    }
    judge('storage profile', url, outcome);
    if (expectMetadata) expect(outcome, url).toMatch(/metadata|not a valid URL|invalid url/i);
  });
}

describe('SSRF corpus through every feature that takes a URL', () => {
  it('refuses every hostile URL for remote MCP servers, publications and storage profiles (MCPS_OUTBOUND_ALLOW empty)', async () => {
    const wrongBefore = tally.wrong.length;
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '' });
    try {
      const auth = await t.login();
      const urls = hostileUrls(canary.port);
      expect(urls.length).toBeGreaterThanOrEqual(60);
      for (const transport of ['streamable-http', 'sse']) {
        await inChunks(urls, 8, async (url, i) => {
          const outcome = await remoteServer(t, auth, `ssrf-${transport}-${i}`, transport, url);
          judge(`remote ${transport}`, url, outcome);
          // Refused when saved (400 malformed, 422 by the policy), not only when started.
          expect(outcome, url).toMatch(/^4(00|22) /);
        });
      }
      await publications(t, auth, urls);
      await storageProfiles(t, auth, urls);
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
    expect(tally.wrong.slice(wrongBefore)).toEqual([]);
    expect(canary.connections()).toBe(0);
  }, 300_000);

  it('refuses cloud metadata in every spelling even with MCPS_OUTBOUND_ALLOW=*', async () => {
    const wrongBefore = tally.wrong.length;
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '*' });
    try {
      const auth = await t.login();
      await inChunks(metadataUrls(), 7, async (url, i) => {
        const outcome = await remoteServer(t, auth, `meta-${i}`, 'streamable-http', url);
        judge('remote streamable-http (*)', url, outcome);
        expect(outcome, url).toMatch(/^422 .*metadata/);
      });
      await publications(t, auth, metadataUrls(), true);
      await storageProfiles(t, auth, metadataUrls(), true);
    } finally {
      await t.close();
    }
    expect(tally.wrong.slice(wrongBefore)).toEqual([]);
  }, 120_000);
});

describe('redirects and DNS rebinding', () => {
  // A stand-in for a public host: 127.0.0.2, the one address the policy allows here, on the canary's port.
  let standIn: Server;
  /** Requests (connections may be reused). */
  let standInHits = 0;
  beforeAll(async () => {
    standIn = createServer((req, res) => {
      standInHits++;
      if (req.url?.startsWith('/redirect')) {
        res.writeHead(req.url.endsWith('meta') ? 307 : 302, { location: req.url.endsWith('meta') ? 'http://[::ffff:169.254.169.254]/' : `http://127.0.0.1:${canary.port}/` }).end();
        return;
      }
      res.writeHead(404).end();
    });
    new WebSocketServer({ server: standIn }).on('connection', (ws) => ws.close(1012, 'go away'));
    await new Promise<void>((r) => standIn.listen(canary.port, '127.0.0.2', r));
  });
  afterAll(() => new Promise<void>((r) => standIn.close(() => r())));

  it('does not follow a redirect to a private or metadata address (remote MCP server)', async () => {
    const wrongBefore = tally.wrong.length;
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '127.0.0.2' });
    try {
      const auth = await t.login();
      for (const [i, path] of ['/redirect', '/redirect-meta'].entries()) {
        const url = `http://127.0.0.2:${canary.port}${path}`;
        const before = standInHits;
        const outcome = await remoteServer(t, auth, `redirect-${i}`, 'streamable-http', url);
        judge('remote redirect', url, outcome);
        expect(outcome).toMatch(/redirects are not followed/);
        expect(standInHits).toBeGreaterThan(before);
      }
    } finally {
      await t.close();
    }
    expect(tally.wrong.slice(wrongBefore)).toEqual([]);
    expect(canary.connections()).toBe(0);
  });

  it('connects to the address it checked when a resolver answers public then private', async () => {
    const wrongBefore = tally.wrong.length;
    let calls = 0;
    const rebinding = ((host: string, opts: object, cb: (...a: unknown[]) => void) => {
      if (host !== 'rebind.test') return dnsLookup(host, opts, cb as never);
      calls++;
      cb(null, [{ address: calls === 1 ? '127.0.0.2' : '127.0.0.1', family: 4 }]);
    }) as never;
    const mixed = ((_h: string, _o: object, cb: (...a: unknown[]) => void) => cb(null, [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }])) as never;
    const url = `http://rebind.test:${canary.port}/mcp`;

    // The guard's fetch: the first answer is used and is allowed; the next one is refused.
    const guard = createOutboundGuard(createOutboundPolicy(['127.0.0.2']), rebinding);
    expect((await guard.fetch(url)).status).toBe(404);
    const second = await guard.fetch(`http://rebind.test:${canary.port}/other`, { headers: { connection: 'close' } }).then(
      (r) => `status ${r.status}`,
      (e: Error) => e.message,
    );
    judge('fetch after rebinding', url, second);
    await guard.close();

    // A remote MCP server's SDK transport on a fresh guard: the rebound answer is refused.
    calls = 1;
    const sdkGuard = createOutboundGuard(createOutboundPolicy(['127.0.0.2']), rebinding);
    const client = new Client({ name: 'ssrf', version: '1' });
    const sdk = await client.connect(createRemoteTransport({ name: 'rebind', transport: 'streamable-http', url } as never, sdkGuard.fetch)).then(
      () => 'connected',
      (e: Error) => e.message,
    );
    judge('remote server after rebinding', url, sdk);
    await client.close().catch(() => undefined);
    await sdkGuard.close();

    // An answer with a private address among public ones is refused whole.
    const mixedGuard = createOutboundGuard(createOutboundPolicy(['127.0.0.2']), mixed);
    judge('fetch, mixed answer', url, await mixedGuard.fetch(url).then((r) => `status ${r.status}`, (e: Error) => e.message));
    await mixedGuard.close();

    // A publication's pipe: connects to the stand-in, which closes; the reconnection's answer is refused.
    calls = 0;
    const relayGuard = createOutboundGuard(createOutboundPolicy(['127.0.0.2']), rebinding);
    const lines: string[] = [];
    const log = { debug: () => {}, info: () => {}, warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m) };
    const relay = createPipeRelay({
      endpoint: async () => `ws://rebind.test:${canary.port}/mcp`,
      display: 'ws://rebind.test/mcp',
      open: async () => {
        throw new Error('no server in this test');
      },
      log,
      timing: { backoffBaseMs: 50, backoffMaxMs: 200, stableMs: 3000, pingIntervalMs: 500, pongTimeoutMs: 1500 },
      lookup: relayGuard.lookup,
    });
    relay.start();
    await waitFor(() => lines.some((l) => /refused/.test(l)), 10_000, 'the rebound answer to be refused');
    await relay.stop();
    await relayGuard.close();
    judge('pipe after rebinding', 'ws://rebind.test', lines.find((l) => /refused/.test(l)) ?? lines.join('; '));

    expect(tally.wrong.slice(wrongBefore)).toEqual([]);
    expect(canary.connections()).toBe(0);
  });
});

describe('10,000 generated addresses against the policy', () => {
  const special = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/4', '240.0.0.0/4'];
  const metadata = ['169.254.169.254', '169.254.170.2', '100.100.100.200'];
  const inCidr = (cidr: string) => {
    const [net, bits] = cidr.split('/') as [string, string];
    const base = net.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    return fc.integer({ min: 0, max: size - 1 }).map((k) => base + k);
  };
  const v4 = fc.oneof(fc.constantFrom(...special).chain(inCidr), fc.constantFrom(...metadata).map((m) => m.split('.').reduce((a, o) => a * 256 + Number(o), 0)));
  const hex = (n: number) => (n >>> 0).toString(16);
  const hi = (n: number) => hex(Math.floor(n / 65536));
  const lo = (n: number) => hex(n % 65536);
  const dotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  const h16 = fc.integer({ min: 0, max: 0xffff }).map(hex);
  /** Every way an IPv6 address may carry an IPv4 address. */
  const spellings: ((n: number, r: string) => string)[] = [
    (n) => dotted(n),
    (n) => `::ffff:${dotted(n)}`,
    (n) => `::ffff:${hi(n)}:${lo(n)}`,
    (n) => `::${hi(n)}:${lo(n)}`,
    (n) => `::ffff:0:${hi(n)}:${lo(n)}`,
    (n) => `64:ff9b::${hi(n)}:${lo(n)}`,
    (n) => `64:ff9b::${dotted(n)}`,
    (n, r) => `2002:${hi(n)}:${lo(n)}:${r}::1`,
    (n, r) => `2001:0:${hi(n)}:${lo(n)}:0:${r}::`,
    (n, r) => `2001:0:4136:e378:8000:${r}:${hex(0xffff - Math.floor(n / 65536))}:${hex(0xffff - (n % 65536))}`,
    (n) => `64:ff9b:1::${hi(n)}:${lo(n)}`,
  ];
  const address = fc.tuple(v4, fc.integer({ min: 0, max: spellings.length - 1 }), h16).map(([n, s, r]) => ({ n, text: spellings[s]!(n, r) }));

  it('refuses every address whose own or carried IPv4 is private, loopback, link-local, CGNAT or metadata (metadata even with *)', () => {
    const none = createOutboundPolicy([]);
    const all = createOutboundPolicy(['*']);
    const guard = createOutboundGuard(none);
    fc.assert(
      fc.property(address, ({ n, text }) => {
        tally.generated++;
        const isMetadata = metadata.includes(dotted(n));
        // The policy on the address, on the URL parser's spelling of it, and (for metadata) with *.
        const refusedHere = none.refusal(text, text) !== null;
        let refusedAsUrl = true;
        try {
          guard.assertUrl(`http://${text.includes(':') ? `[${text}]` : text}:${canary.port}/`, ['http:']);
          refusedAsUrl = false;
        } catch {
          // refused
        }
        const ok = refusedHere && refusedAsUrl && (!isMetadata || /metadata/.test(all.refusal(text, text) ?? ''));
        if (!ok) tally.wrong.push(`generated ${text}`);
        return ok;
      }),
      { numRuns: 10_000 },
    );
    void guard.close();
    expect(tally.generated).toBeGreaterThanOrEqual(10_000);
  });
});
