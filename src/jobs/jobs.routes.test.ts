import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver } from '../../test/helpers/s3rver.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { buildLogServiceServer } from '../logservice/build-server.js';

/**
 * /api/v1/jobs and the batch tools over a real bucket (s3rver) and a real managed server (tiny.mjs):
 * download_analyze and call_tool batches, permissions at start and at run, paging, cancel, bad input.
 */
const TINY = path.resolve(import.meta.dirname, '../../test/fixtures/mcp/tiny.mjs');
let s3: { endpoint: string; close(): Promise<void> };
let t: TestApp;
let admin: { authorization: string };
const s3dir = mkdtempSync(path.join(tmpdir(), 'mcps-s3rver-'));
const log = (h: number) => Array.from({ length: 30 }, (_, i) => `2026-12-01T${String(h).padStart(2, '0')}:00:${String(i).padStart(2, '0')}Z ${i % 10 ? 'INFO' : 'ERROR'} request ${i} ${i % 10 ? 'ok' : 'failed: timeout after 30s'}\n`).join('');

beforeAll(async () => {
  s3 = await startS3rver(s3dir, ['logs']);
  const put = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  for (let h = 0; h < 12; h++) await put.send(new PutObjectCommand({ Bucket: 'logs', Key: `app/2026/12/01/app-${String(h).padStart(2, '0')}.log.gz`, Body: gzipSync(log(h)) }));
  put.destroy();
  t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '127.0.0.0/8' });
  admin = await t.login();
  for (const [name, value] of [['S3_KEY', 'S3RVER'], ['S3_SECRET', 'S3RVER']]) await inject('POST', '/secrets', admin, { name, value });
  await inject('POST', '/storage/profiles', admin, { name: 'local', provider: 's3', region: 'us-east-1', bucket: 'logs', endpoint: s3.endpoint, path_style: true, access_key_id: '${secret:S3_KEY}', secret_access_key: '${secret:S3_SECRET}', date_pattern: 'YYYY/MM/DD' });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await s3?.close();
  rmSync(s3dir, { recursive: true, force: true });
});

async function inject(method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
}
const analyzeDay = { operation: 'download_analyze', params: { profile: 'local', prefix: 'app/', from: '2026-12-01', to: '2026-12-01' }, concurrency: 3 };
const finished = (id: string) => waitFor(async () => (await inject('GET', `/jobs/${id}`, admin)).json().status !== 'running', 30_000, 'the batch to end');

describe('/api/v1/jobs', () => {
  it('refuses bad input with a clear problem, and viewers starting batches', async () => {
    const viewer = await t.as('viewer');
    expect((await inject('GET', '/jobs', viewer)).statusCode).toBe(200);
    expect((await inject('POST', '/jobs', viewer, analyzeDay)).statusCode).toBe(403);
    const unknown = await inject('POST', '/jobs', admin, { operation: 'notify_everyone', params: {} });
    expect([unknown.statusCode, unknown.json().detail]).toEqual([400, "unknown operation 'notify_everyone' (one of: download_analyze, call_tool)"]);
    const noProfile = await inject('POST', '/jobs', admin, { operation: 'download_analyze', params: { prefix: 'app/' } });
    expect(noProfile.statusCode).toBe(400);
    expect(noProfile.json().detail).toMatch(/^params: params\.profile: /);
    const nothing = await inject('POST', '/jobs', admin, { ...analyzeDay, params: { ...analyzeDay.params, from: '2020-01-01', to: '2020-01-02' } });
    expect([nothing.statusCode, nothing.json().detail]).toEqual([422, 'the selection has no items (nothing matched): nothing to run']);
    expect((await inject('POST', '/jobs', admin, { ...analyzeDay, concurrency: 0 })).statusCode).toBe(400);
    expect((await inject('GET', '/jobs/nope', admin)).statusCode).toBe(404);
  });

  it('download_analyze: each file of the day downloaded and analyzed once; items paged; cancel of a finished batch is 409; audited', async () => {
    const operator = await t.as('operator');
    const started = await inject('POST', '/jobs', operator, analyzeDay);
    expect(started.statusCode, started.body).toBe(201);
    const batch = started.json();
    expect(batch).toMatchObject({ operation: 'download_analyze', status: 'running', progress: { total: 12, pending: 12 }, created_by: expect.stringMatching(/^user:operator/) });
    await t.ctx.jobs.start();
    await finished(batch.id);
    const page = (await inject('GET', `/jobs/${batch.id}?limit=5&offset=5`, operator)).json();
    expect(page).toMatchObject({ status: 'completed', progress: { total: 12, done: 12, failed: 0 }, items_offset: 5, items_left_out: 2 });
    expect(page.items.map((i: { seq: number }) => i.seq)).toEqual([5, 6, 7, 8, 9]);
    expect(page.items[0].result).toMatchObject({ key: 'app/2026/12/01/app-05.log.gz', entries: 30, levels: { info: 27, error: 3 }, top_errors: [{ count: 3 }] });
    const again = await inject('POST', `/jobs/${batch.id}/cancel`, operator);
    expect([again.statusCode, again.json().detail]).toEqual([409, `batch ${batch.id} is already completed`]);
    const audit = await t.ctx.db.selectFrom('operation_logs').select(['action', 'target_id', 'outcome']).where('target_id', '=', batch.id).orderBy('id').execute();
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(['job.batch.start:success', 'job.batch.finish:success', 'job.batch.cancel:failure']);
    const downloads = await t.ctx.db.selectFrom('operation_logs').select('actor_name').where('action', '=', 'storage.download').execute();
    expect(downloads.filter((d) => d.actor_name?.startsWith('operator'))).toHaveLength(12);
  });

  it('items run as the creator as they are now: a creator disabled after the start makes them fail, not retried', async () => {
    await t.ctx.jobs.start();
    const operator = await t.as('operator');
    const batch = (await inject('POST', '/jobs', operator, { ...analyzeDay, concurrency: 1, max_attempts: 3 })).json();
    const me = (await inject('GET', '/auth/me', operator)).json();
    await t.ctx.db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('id', '=', me.id).execute();
    await finished(batch.id);
    const got = (await inject('GET', `/jobs/${batch.id}?status=failed&limit=1`, admin)).json();
    expect(got.status).toBe('failed');
    expect(got.progress.failed + got.progress.done).toBe(12);
    expect(got.progress.failed).toBeGreaterThanOrEqual(11);
    expect(got.items[0]).toMatchObject({ attempts: 1, error: "the batch's creator is disabled or deleted: its items no longer run" });
  });

  it('call_tool: a managed server\'s tool once per input, each result kept', async () => {
    await t.ctx.jobs.start();
    const server = (await inject('POST', '/tools', admin, { name: 'tiny', command: process.execPath, args: [TINY] })).json();
    expect((await inject('POST', `/tools/${server.id}/start`, admin)).statusCode).toBe(200);
    const inputs = Array.from({ length: 5 }, (_, i) => ({ message: `hello ${i}` }));
    const batch = (await inject('POST', '/jobs', admin, { operation: 'call_tool', params: { server: 'tiny', tool: 'echo', inputs }, concurrency: 2 })).json();
    await finished(batch.id);
    const got = (await inject('GET', `/jobs/${batch.id}`, admin)).json();
    expect(got.status).toBe('completed');
    expect(got.items.map((i: { result: { text: string } }) => i.result.text)).toEqual(inputs.map((i) => i.message));
    // An API key limited to other servers reaches tiny through no batch: 404 at the start, as on /tools/{id}.
    const limited = (await inject('POST', '/gateway/api-keys', admin, { name: 'limited', role: 'operator', allowed_servers: ['other-*'] })).json().key as string;
    const refused = await inject('POST', '/jobs', { authorization: `Bearer ${limited}` }, { operation: 'call_tool', params: { server: 'tiny', tool: 'echo', inputs: [{}] } });
    expect([refused.statusCode, refused.json().detail]).toEqual([404, "MCP server 'tiny' not found"]);
    const toolLimited = (await inject('POST', '/gateway/api-keys', admin, { name: 'tool-limited', role: 'operator', allowed_servers: ['tiny'], allowed_tools: ['tiny__other'] })).json().key as string;
    expect((await inject('POST', '/jobs', { authorization: `Bearer ${toolLimited}` }, { operation: 'call_tool', params: { server: 'tiny', tool: 'echo', inputs: [{}] } })).statusCode).toBe(403);
    // A server that does not exist: not found is permanent, so one attempt only.
    const missing = (await inject('POST', '/jobs', admin, { operation: 'call_tool', params: { server: 'ghost', tool: 'echo', inputs: [{}] }, max_attempts: 3, backoff_ms: 10 })).json();
    await finished(missing.id);
    const failed = (await inject('GET', `/jobs/${missing.id}`, admin)).json();
    expect(failed).toMatchObject({ status: 'failed', items: [{ status: 'failed', attempts: 1 }] });
    expect(failed.items[0].error).toMatch(/ghost/);
  });
});

describe('batch tools of the log service', () => {
  it('start_batch, get_batch (capped text says what was left out), list_batches, cancel_batch', async () => {
    const res = await inject('POST', '/auth/api-keys', admin, { name: `ops-${randomBytes(3).toString('hex')}`, role: 'operator' });
    const principal = await t.ctx.auth.authenticateApiKey(res.json().key);
    const server = buildLogServiceServer({ secrets: t.ctx.secrets, jobs: t.ctx.jobs.service }, principal);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'test', version: '0' });
    await client.connect(b);
    type R = { isError?: boolean; content: { text?: string }[]; structuredContent?: Record<string, any> };
    const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }) as Promise<R>;
    const { tools } = await client.listTools();
    for (const name of ['start_batch', 'get_batch', 'list_batches', 'cancel_batch']) {
      const tool = tools.find((x) => x.name === name)!;
      expect(tool.outputSchema?.type, name).toBe('object');
      expect(tool.annotations, name).toBeDefined();
    }
    const started = await call('start_batch', analyzeDay);
    expect(started.isError).toBeFalsy();
    const id = started.structuredContent!['id'] as string;
    expect(started.content[0]!.text).toMatch(new RegExp(`^batch ${id} \\(download_analyze\\) running: 0 done`));
    await finished(id);
    const got = await call('get_batch', { id, limit: 3 });
    expect(got.structuredContent).toMatchObject({ status: 'completed', items_left_out: 9 });
    expect(got.content[0]!.text).toContain('9 more items after this page: call again with offset 3');
    const small = await call('get_batch', { id, text_budget: 600 });
    expect(small.content[0]!.text).toMatch(/more lines not shown in this text/);
    expect((await call('list_batches', { limit: 50 })).structuredContent!['items'].some((x: { id: string }) => x.id === id)).toBe(true);
    const cancel = await call('cancel_batch', { id });
    expect(cancel.isError).toBe(true);
    expect(cancel.content[0]!.text).toContain('already completed');
    await client.close();
  });
});
