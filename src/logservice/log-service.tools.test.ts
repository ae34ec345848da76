import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import type { Principal } from '../auth/principal.js';
import { buildLogServiceServer } from './build-server.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** A connected SDK client to a log-service server acting as an API key of `role`. */
async function clientAs(role: 'admin' | 'operator' | 'viewer'): Promise<{ client: Client; principal: Principal }> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: await t.login(), payload: { name: `${role}-key-${randomBytes(3).toString('hex')}`, role } });
  const key = res.json<{ key: string }>().key;
  const principal = await t.ctx.auth.authenticateApiKey(key);
  const server = buildLogServiceServer({ secrets: t.ctx.secrets, onReveal: (s) => t.ctx.servers.secretValues.remember(s) }, principal);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '0' });
  await client.connect(b);
  return { client, principal };
}

type ToolText = { isError?: boolean; content: { type: string; text?: string }[]; structuredContent?: Record<string, unknown> };
const textOf = (r: ToolText) => r.content.map((c) => c.text ?? '').join('');

describe('log-service secret tools', () => {
  it('lists the four secret tools with input and output schemas', async () => {
    const { client } = await clientAs('viewer');
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual(['get_secret', 'list_secrets', 'rotate_secret', 'update_secret']);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.description).toBeTruthy();
    }
    await client.close();
  });

  it('admin: create, update with check-and-set, rotate with a generated value, read any version', async () => {
    const { client } = await clientAs('admin');
    const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }) as Promise<ToolText>;

    const created = await call('update_secret', { name: 'DB_PASSWORD', value: 'first-value', create_if_missing: true, description: 'db' });
    expect(created.isError).toBeFalsy();
    expect(created.structuredContent).toMatchObject({ name: 'DB_PASSWORD', current_version: 1, description: 'db' });
    expect(textOf(created)).not.toContain('first-value');

    const updated = await call('update_secret', { name: 'DB_PASSWORD', value: 'second-value', cas: 1 });
    expect(updated.structuredContent).toMatchObject({ current_version: 2 });
    const stale = await call('update_secret', { name: 'DB_PASSWORD', value: 'stale-value', cas: 1 });
    expect(stale.isError).toBe(true);
    expect(textOf(stale)).toMatch(/^conflict: /);

    const rotated = await call('rotate_secret', { name: 'DB_PASSWORD', generate: { length: 24, alphabet: 'hex' }, reason: 'scheduled rotation' });
    expect(rotated.structuredContent).toMatchObject({ current_version: 3, rotation_reason: 'scheduled rotation' });

    const current = await call('get_secret', { name: 'DB_PASSWORD', reason: 'test reads it' });
    expect(current.structuredContent).toMatchObject({ name: 'DB_PASSWORD', version: 3 });
    expect(String(current.structuredContent!['value'])).toMatch(/^[0-9a-f]{24}$/);
    const v1 = await call('get_secret', { name: 'DB_PASSWORD', version: 1, reason: 'old version' });
    expect(v1.structuredContent).toMatchObject({ version: 1, value: 'first-value' });

    const list = await call('list_secrets', {});
    const items = list.structuredContent!['items'] as { name: string }[];
    expect(items.map((i) => i.name)).toContain('DB_PASSWORD');
    expect(textOf(list)).not.toMatch(/first-value|second-value/);

    // Each read is audited with the key's identity and the reason.
    const audit = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'secret.reveal').execute();
    expect(audit.length).toBeGreaterThanOrEqual(2);
    expect(audit.some((r) => r.actor_type === 'api_key' && String(r.details ?? '').includes('old version'))).toBe(true);
    await client.close();
  });

  it('least privilege: a viewer lists nothing, an operator lists but cannot read or change values', async () => {
    const { client: viewer } = await clientAs('viewer');
    const denied = (await viewer.callTool({ name: 'list_secrets', arguments: {} })) as ToolText;
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toMatch(/^forbidden: .*secrets:read/);
    await viewer.close();

    const { client: operator } = await clientAs('operator');
    expect(((await operator.callTool({ name: 'list_secrets', arguments: {} })) as ToolText).isError).toBeFalsy();
    const read = (await operator.callTool({ name: 'get_secret', arguments: { name: 'DB_PASSWORD', reason: 'curious' } })) as ToolText;
    expect(read.isError).toBe(true);
    expect(textOf(read)).toMatch(/^forbidden: .*secrets:reveal/);
    const write = (await operator.callTool({ name: 'update_secret', arguments: { name: 'DB_PASSWORD', value: 'operator-value' } })) as ToolText;
    expect(write.isError).toBe(true);
    expect(textOf(write)).not.toContain('operator-value');
    await operator.close();
  });

  it('bad input is a clear error and the server keeps serving', async () => {
    const { client } = await clientAs('admin');
    const missing = (await client.callTool({ name: 'get_secret', arguments: { name: 'NO_SUCH_SECRET', reason: 'x' } })) as ToolText;
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain("'NO_SUCH_SECRET' not found");

    const badName = (await client.callTool({ name: 'get_secret', arguments: { name: '../etc/passwd', reason: 'x' } })) as ToolText;
    expect(badName.isError).toBe(true);
    expect(textOf(badName)).toMatch(/secret name/);

    const huge = (await client.callTool({ name: 'update_secret', arguments: { name: 'BIG', value: 'x'.repeat(70_000), create_if_missing: true } })) as ToolText;
    expect(huge.isError).toBe(true);
    expect(textOf(huge)).toMatch(/^payload_too_large: /);

    const noReason = (await client.callTool({ name: 'get_secret', arguments: { name: 'DB_PASSWORD' } })) as ToolText;
    expect(noReason.isError).toBe(true);

    const ok = (await client.callTool({ name: 'list_secrets', arguments: { limit: 1 } })) as ToolText;
    expect(ok.isError).toBeFalsy();
    await client.close();
  });
});
