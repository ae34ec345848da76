import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport, type ClientCapabilities, type Transport } from '@modelcontextprotocol/client';
import { expect } from 'vitest';
import { EVERYTHING_ENTRY } from './fixtures.js';
import { createServersTestApp, type ServersTestApp } from './servers-app.js';

/** Test helpers for the gateway: a listening app with servers, API keys and SDK clients. */

export const SHIFTY = fileURLToPath(new URL('../fixtures/mcp/shifty.mjs', import.meta.url));
export const WELL_BEHAVED = fileURLToPath(new URL('../fixtures/mcp/well-behaved.mjs', import.meta.url));

export interface GatewayTestApp extends ServersTestApp {
  /** http://127.0.0.1:<port> of the listening app. */
  base: string;
  /** Registers and starts a stdio server running `script` (a fixture, or server-everything). */
  addServer(name: string, args: string[], over?: Record<string, unknown>): Promise<{ pid: number }>;
  /** Creates an API key (role operator unless given) with optional allowlists; returns the key. */
  key(name: string, allow?: { allowed_servers?: string[] | null; allowed_tools?: string[] | null; role?: string }): Promise<{ key: string; id: string }>;
  /** An SDK client connected to `/mcp` or `/mcp/{server}` with the key. */
  connect(key: string, path?: string, name?: string): Promise<Client>;
  clients: Client[];
}

/** The session id the client's Streamable HTTP transport holds. */
export function sessionIdOf(client: Client): string {
  return (client.transport as StreamableHTTPClientTransport).sessionId!;
}

export async function createGatewayTestApp(env: Record<string, string> = {}): Promise<GatewayTestApp> {
  const t = await createServersTestApp(env);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  t.app.server.on('connection', (s) => s.setNoDelay(true));
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const base = `http://127.0.0.1:${address.port}`;
  const clients: Client[] = [];
  const g: GatewayTestApp = Object.assign(t, {
    base,
    clients,
    async addServer(name: string, args: string[], over: Record<string, unknown> = {}) {
      const created = await t.call('POST', '/tools', { name, command: process.execPath, args, restart_policy: 'never', timeout_ms: 60_000, ...over });
      expect(created.statusCode, created.body).toBe(201);
      const started = await t.call('POST', `/tools/${name}/start`);
      expect(started.statusCode, started.body).toBe(200);
      t.pids.add(started.json().pid);
      return { pid: started.json().pid as number };
    },
    async key(name: string, allow: { allowed_servers?: string[] | null; allowed_tools?: string[] | null; role?: string } = {}) {
      const { role = 'operator', ...lists } = allow;
      const res = await t.call('POST', '/gateway/api-keys', { name, role, ...lists });
      expect(res.statusCode, res.body).toBe(201);
      return { key: res.json().key as string, id: res.json().api_key.id as string };
    },
    async connect(key: string, path = '/mcp', name = 'test-client') {
      const transport = new StreamableHTTPClientTransport(new URL(`${base}${path}`), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
      const client = new Client({ name, version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
  });
  const close = g.closeAndCheck.bind(g);
  g.closeAndCheck = async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await close();
  };
  return g;
}

export const everythingArgs = [EVERYTHING_ENTRY, 'stdio'];

/** The app most gateway test files use: server-everything as `everything` and the well-behaved fixture as `wb`. */
export async function createGatewayWithEverything(): Promise<GatewayTestApp> {
  const t = await createGatewayTestApp();
  await t.addServer('everything', everythingArgs);
  await t.addServer('wb', [WELL_BEHAVED]);
  return t;
}

export const CONFORMANCE_FIXTURE = fileURLToPath(new URL('../fixtures/mcp/conformance-server.mjs', import.meta.url));

export interface ConnectOptions {
  /** The key to send (default: the app's key). */
  bearer?: string;
  name?: string;
  capabilities?: ClientCapabilities;
  /** Called before connecting (request handlers). */
  setup?: (client: Client) => void;
  /** Wraps the client's transport (e.g. OrderedTransport). */
  wrap?: (transport: StreamableHTTPClientTransport) => Transport;
}

export interface ConformanceGateway {
  t: GatewayTestApp;
  key: string;
  /** An SDK client on `/mcp/{server}` (closed with the app). */
  connect(server: string, opts?: ConnectOptions): Promise<Client>;
  /** The client's Streamable HTTP transport (its session id, terminateSession). */
  wire(client: Client): StreamableHTTPClientTransport;
  /** Ends the client's session at the gateway (DELETE) and closes it. */
  end(client: Client): Promise<void>;
  close(): Promise<void>;
}

/**
 * A listening gateway app with the conformance fixture as upstream twice per entry of `servers`:
 * over stdio as `stdio{suffix}` and over Streamable HTTP (one fixture process for all) as
 * `remote{suffix}`, in the given session mode (the default when none), and an operator key.
 */
export async function createConformanceGateway(opts: {
  env?: Record<string, string>;
  keyName: string;
  servers: { suffix?: string; session_mode?: 'shared' | 'per_session' }[];
}): Promise<ConformanceGateway> {
  const t = await createGatewayTestApp(opts.env);
  const remote = spawn(process.execPath, [CONFORMANCE_FIXTURE, 'http'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      remote.stdout!.once('data', (d: Buffer) => resolve(/READY (\d+)/.exec(d.toString())![1]!));
      remote.once('exit', () => reject(new Error('the remote fixture exited')));
    });
    for (const { suffix = '', session_mode } of opts.servers) {
      const mode = session_mode === undefined ? {} : { session_mode };
      await t.addServer(`stdio${suffix}`, [CONFORMANCE_FIXTURE], mode);
      const created = await t.call('POST', '/tools', { name: `remote${suffix}`, transport: 'streamable-http', url: `http://127.0.0.1:${port}/mcp`, restart_policy: 'never', ...mode });
      expect(created.statusCode, created.body).toBe(201);
      if (session_mode !== undefined) expect(created.json().session_mode).toBe(session_mode);
      expect((await t.call('POST', `/tools/remote${suffix}/start`)).statusCode).toBe(200);
    }
  } catch (err) {
    remote.kill('SIGTERM');
    await t.closeAndCheck().catch(() => {});
    throw err;
  }
  const key = (await t.key(opts.keyName)).key;
  const wires = new WeakMap<Client, StreamableHTTPClientTransport>();
  return {
    t,
    key,
    async connect(server, c = {}) {
      const client = new Client({ name: c.name ?? 'test-client', version: '1.0.0' }, c.capabilities ? { capabilities: c.capabilities } : undefined);
      c.setup?.(client);
      const transport = new StreamableHTTPClientTransport(new URL(`${t.base}/mcp/${server}`), { requestInit: { headers: { authorization: `Bearer ${c.bearer ?? key}` } } });
      await client.connect(c.wrap ? c.wrap(transport) : transport);
      wires.set(client, transport);
      t.clients.push(client);
      return client;
    },
    wire: (client) => wires.get(client)!,
    async end(client) {
      await wires.get(client)?.terminateSession().catch(() => {});
      await client.close();
    },
    async close() {
      await t.closeAndCheck();
      remote.kill('SIGTERM');
    },
  };
}
