/**
 * A program that uses MCPS.ONE as its MCP server: it connects to the gateway (/mcp) with the official
 * TypeScript MCP client and an API key, lists the tools it may use, calls one and reads a resource.
 *
 *   BASE_URL=http://127.0.0.1:8000 MCPS_API_KEY=mcps_... npx tsx docs/examples/integration.ts
 *
 * Without MCPS_API_KEY it prepares what it needs as the admin (ADMIN_PASSWORD): it registers and starts
 * server-everything as `everything`, creates an API key limited to that server, and removes both at the end.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const BASE_URL = process.env['BASE_URL'] ?? 'http://127.0.0.1:8000';

async function main(): Promise<void> {
  const prepared = process.env['MCPS_API_KEY'] ? undefined : await prepare();
  const key = process.env['MCPS_API_KEY'] ?? prepared!.key;

  const client = new Client({ name: 'integration-example', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', BASE_URL), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  try {
    console.log(`connected to ${client.getServerVersion()?.name}`);

    const { tools } = await client.listTools();
    console.log(`${tools.length} tools, e.g. ${tools.slice(0, 3).map((t) => t.name).join(', ')}`);

    const sum = await client.callTool({ name: 'everything__get-sum', arguments: { a: 19, b: 23 } });
    console.log(`everything__get-sum: ${textOf(sum.content)}`);

    const { resources } = await client.listResources();
    const first = resources[0];
    if (first) {
      const read = await client.readResource({ uri: first.uri });
      console.log(`read ${first.uri}: ${read.contents.length} content item(s)`);
    }
  } finally {
    await client.close();
    await prepared?.cleanUp();
  }
}

function textOf(content: unknown): string {
  return (content as { type: string; text?: string }[]).map((c) => c.text ?? `[${c.type}]`).join(' ');
}

/** The REST calls basic.sh makes, plus an API key (`/api/v1/gateway/api-keys`) the client connects with. */
async function prepare(): Promise<{ key: string; cleanUp(): Promise<void> }> {
  const password = process.env['ADMIN_PASSWORD'];
  if (!password) throw new Error('set MCPS_API_KEY, or ADMIN_PASSWORD to prepare a server and a key');
  const { access_token } = await rest('POST', '/auth/login', undefined, { username: 'admin', password });
  const api = (method: string, path: string, body?: unknown) => rest(method, path, access_token, body);

  const everything = new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url).pathname;
  await api('POST', '/tools', { name: 'everything', transport: 'stdio', command: process.execPath, args: [everything] });
  await api('POST', '/tools/everything/start');
  const created = await api('POST', '/gateway/api-keys', { name: 'integration-example', role: 'operator', allowed_servers: ['everything'] });
  return {
    key: created.key,
    async cleanUp() {
      await api('DELETE', `/auth/api-keys/${created.api_key.id}`);
      await api('DELETE', '/tools/everything');
    },
  };
}

async function rest(method: string, path: string, token?: string, body?: unknown): Promise<any> {
  const res = await fetch(new URL(`/api/v1${path}`, BASE_URL), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

await main();
