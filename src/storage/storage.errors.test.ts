import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBucket } from '../../test/helpers/fake-bucket.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { buildLogServiceServer } from '../logservice/build-server.js';

/**
 * A bucket that holds hostile keys, refuses (403), has vanished (404), fails (500) or never answers:
 * clear problem+json over REST and isError results over MCP, nothing written outside the profile
 * folder, and the platform keeps serving.
 */
const hostile = ['../escape.log', 'x/../../escape2.log', '/abs.log', 'back\\..\\slash.log', 'ctl\u0007.log', 'a//b.log'];
let bucket: Awaited<ReturnType<typeof startFakeBucket>>;
let t: TestApp;
let headers: { authorization: string };

beforeAll(async () => {
  bucket = await startFakeBucket(['ok/a.log', ...hostile]);
  t = await createTestApp();
  headers = await t.login();
  await t.app.inject({ method: 'POST', url: '/api/v1/secrets', headers, payload: { name: 'K', value: 'key-id' } });
  const res = await t.app.inject({
    method: 'POST', url: '/api/v1/storage/profiles', headers,
    payload: { name: 'fake', provider: 's3', region: 'us-east-1', bucket: 'bkt', endpoint: bucket.endpoint, path_style: true, access_key_id: '${secret:K}', secret_access_key: '${secret:K}', timeout_ms: 300 },
  });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => {
  await t?.close();
  await bucket?.close();
});

async function mcpClient(): Promise<Client> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers, payload: { name: `k-${Date.now()}`, role: 'operator' } });
  const principal = await t.ctx.auth.authenticateApiKey(res.json<{ key: string }>().key);
  const server = buildLogServiceServer({ secrets: t.ctx.secrets, storage: t.ctx.storage }, principal);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '0' });
  await client.connect(b);
  return client;
}

describe('outbound guard', () => {
  it('refuses a profile whose endpoint is a metadata or other refused address, before storing it', async () => {
    for (const endpoint of ['http://169.254.169.254', 'http://10.1.2.3:9000']) {
      const res = await t.app.inject({
        method: 'POST', url: '/api/v1/storage/profiles', headers,
        payload: { name: 'ssrf', provider: 's3', region: 'us-east-1', bucket: 'bkt', endpoint, access_key_id: '${secret:K}', secret_access_key: '${secret:K}' },
      });
      expect(res.statusCode, endpoint).toBe(422);
      expect(res.json().detail).toMatch(/^endpoint: outbound connection to .* refused.*MCPS_OUTBOUND_ALLOW/);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/storage/profiles/ssrf', headers })).statusCode).toBe(404);
  });
});

describe('hostile keys', () => {
  it('downloads the ordinary key and refuses each hostile one, writing nothing outside the profile folder', async () => {
    bucket.setMode('ok');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/storage/downloads', headers, payload: { profile: 'fake', prefix: '' } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ downloaded: number; failed: number; files: { key: string; status: string; error?: string }[] }>();
    expect(body.downloaded).toBe(1);
    expect(body.failed).toBe(hostile.length);
    for (const f of body.files.filter((x) => x.key !== 'ok/a.log')) expect(f.error, f.key).toMatch(/refused/);
    const data = t.config.dataDir;
    expect(readdirSync(path.join(data, 'downloads'))).toEqual(['fake']);
    expect(readdirSync(path.join(data, 'downloads', 'fake'))).toEqual(['ok']);
    for (const escaped of ['escape.log', 'escape2.log', 'abs.log']) expect(existsSync(path.join(data, escaped)) || existsSync(path.join(data, '..', escaped))).toBe(false);
  });
});

describe('a file that is not what it says', () => {
  it('a .gz object that is not gzip fails clearly and leaves no file behind', async () => {
    bucket.setMode('ok');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/storage/downloads', headers, payload: { profile: 'fake', keys: ['bad/broken.log.gz'], gunzip: true } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().files[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/not a valid gzip/) });
    for (const name of ['broken.log', 'broken.log.gz']) expect(existsSync(path.join(t.config.dataDir, 'downloads', 'fake', 'bad', name))).toBe(false);
    expect(readdirSync(path.join(t.config.dataDir, 'temp'))).toEqual([]);
  });

  it('DATA_DIR/temp is emptied at start, partial downloads are kept', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    writeFileSync(path.join(t.config.dataDir, 'temp', 'left-over.gunzip'), 'x');
    mkdirSync(path.join(t.config.dataDir, 'partial', 'fake'), { recursive: true });
    writeFileSync(path.join(t.config.dataDir, 'partial', 'fake', 'k.part'), 'x');
    await t.ctx.storage.cleanTemp();
    expect(readdirSync(path.join(t.config.dataDir, 'temp'))).toEqual([]);
    expect(readdirSync(path.join(t.config.dataDir, 'partial', 'fake'))).toContain('k.part');
  });
});

describe('a bucket that fails', () => {
  it.each([
    ['403', 502, /refused access \(403/],
    ['404', 404, /not found \(404/],
    ['500', 502, /answered 500/],
    ['hang', 504, /did not answer in time/],
  ] as const)('%s: a clear problem+json, and the platform keeps serving', async (mode, status, detail) => {
    bucket.setMode(mode);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/storage/profiles/fake/objects', headers });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().detail).toMatch(detail);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('is an isError tool result over MCP', async () => {
    bucket.setMode('403');
    const client = await mcpClient();
    const r = (await client.callTool({ name: 'list_log_files', arguments: { profile: 'fake' } })) as { isError?: boolean; content: { text?: string }[] };
    expect(r.isError).toBe(true);
    expect(r.content[0]?.text).toMatch(/403/);
    await client.close();
  });
});

describe('storage tools', () => {
  it('declare schemas and annotations, report progress and give a compact text', async () => {
    bucket.setMode('ok');
    const client = await mcpClient();
    const { tools } = await client.listTools();
    const storageTools = tools.filter((x) => ['list_storage_profiles', 'list_log_files', 'download_logs'].includes(x.name));
    expect(storageTools).toHaveLength(3);
    for (const tool of storageTools) {
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations?.readOnlyHint).toBeTypeOf('boolean');
      expect(tool.annotations?.openWorldHint).toBeTypeOf('boolean');
    }
    const progress: number[] = [];
    const r = (await client.callTool({ name: 'download_logs', arguments: { profile: 'fake', keys: ['ok/a.log'], gunzip: true } }, { onprogress: (p) => progress.push(p.progress) })) as { isError?: boolean; content: { text?: string }[]; structuredContent?: { skipped: number; downloaded: number } };
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent!.downloaded).toBe(1);
    expect(progress.at(-1)).toBe(5);
    expect(r.content[0]?.text).toMatch(/^profile fake: /);
    const listed = (await client.callTool({ name: 'list_log_files', arguments: { profile: 'fake', text_budget: 512 } })) as { content: { text?: string }[] };
    expect(listed.content[0]?.text).toMatch(/7 objects/);
    await client.close();
  });
});
