import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES } from '../../test/fixtures/logs/generators.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { buildLogServiceServer } from '../logservice/build-server.js';

/** The analyzer tools through a real MCP client on the log service, and the same over REST. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  const root = t.ctx.config.logRoots[0]!;
  mkdirSync(path.join(root, 'web'), { recursive: true });
  const start = Date.UTC(2024, 2, 1);
  writeFileSync(path.join(root, 'web', 'app.log'), FORMAT_SAMPLES.text(3000, start).join('\n'));
  writeFileSync(path.join(root, 'web', 'access.log.gz'), gzipSync(FORMAT_SAMPLES.access(500, start).join('\n')));
  // An incident: a new failure in the last 10 minutes.
  const incident = Array.from({ length: 40 }, (_, i) => `${new Date(start + 3000_000 + i * 1000).toISOString()} ERROR upstream billing refused connection ${i}`);
  writeFileSync(path.join(root, 'web', 'incident.log'), incident.join('\n'));
});
afterAll(async () => {
  await t.close();
});

async function clientAs(role: 'admin' | 'operator' | 'viewer'): Promise<Client> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: await t.login(), payload: { name: `${role}-${randomBytes(3).toString('hex')}`, role } });
  const principal = await t.ctx.auth.authenticateApiKey(res.json<{ key: string }>().key);
  const server = buildLogServiceServer({ secrets: t.ctx.secrets, analyzer: t.ctx.analyzer }, principal);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '0' });
  await client.connect(b);
  return client;
}

type ToolText = { isError?: boolean; content: { type: string; text?: string }[]; structuredContent?: Record<string, unknown> };
const textOf = (r: ToolText) => r.content.map((c) => c.text ?? '').join('');

describe('log analysis tools', () => {
  it('a cancelled call (notifications/cancelled from the client) stops the reading of a big file on the server', { timeout: 120_000 }, async () => {
    const root = t.ctx.config.logRoots[0]!;
    const chunk = Buffer.from(`${FORMAT_SAMPLES.text(20_000).join('\n')}\n`);
    writeFileSync(path.join(root, 'web', 'big.log'), Buffer.concat(Array.from({ length: Math.ceil((100 * 1024 * 1024) / chunk.length) }, () => chunk)));
    let serverSide: Promise<unknown> | null = null;
    const analyzer = { ...t.ctx.analyzer, analyze: (...args: Parameters<typeof t.ctx.analyzer.analyze>) => (serverSide = t.ctx.analyzer.analyze(...args)) };
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: await t.login(), payload: { name: `cancel-${randomBytes(3).toString('hex')}`, role: 'viewer' } });
    const principal = await t.ctx.auth.authenticateApiKey(res.json<{ key: string }>().key);
    const server = buildLogServiceServer({ secrets: t.ctx.secrets, analyzer: analyzer as typeof t.ctx.analyzer }, principal);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'test', version: '0' });
    await client.connect(b);
    const abort = new AbortController();
    let read = 0;
    const started = new Promise<void>((resolve) => {
      const call = client.callTool({ name: 'analyze_logs', arguments: { files: ['web/big.log'] } }, {
        signal: abort.signal,
        onprogress: (p) => {
          read = p.progress;
          resolve();
        },
      });
      void call.catch(() => undefined);
    });
    await started;
    const cancelledAt = Date.now();
    abort.abort();
    expect(serverSide).not.toBeNull();
    await expect(serverSide).rejects.toThrow(/cancelled/);
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    expect(read).toBeLessThan(100 * 1024 * 1024);
    // The service still answers.
    const after = (await client.callTool({ name: 'analyze_logs', arguments: { files: ['web/app.log'] } })) as ToolText;
    expect(after.isError).toBeFalsy();
    await client.close();
  });

  it('are listed with titles, schemas and annotations', async () => {
    const client = await clientAs('viewer');
    const tools = (await client.listTools()).tools.filter((x) => /logs|templates|report/.test(x.name));
    expect(tools.map((x) => x.name).sort()).toEqual(['analyze_logs', 'compare_logs', 'export_report', 'mine_templates', 'search_logs']);
    for (const tool of tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations?.openWorldHint).toBe(false);
    }
    expect(tools.find((x) => x.name === 'analyze_logs')!.annotations).toMatchObject({ readOnlyHint: true });
    await client.close();
  });

  it('analyze_logs: structured result, a text within the budget that says what it left out, progress notifications', async () => {
    const client = await clientAs('viewer');
    const progress: number[] = [];
    const r = (await client.callTool({ name: 'analyze_logs', arguments: { files: ['web/app.log', 'web/*.gz'], max_text_bytes: 1000 } }, { onprogress: (p) => progress.push(p.progress) })) as ToolText;
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ entries: 3500, levels: { error: 350 } });
    expect(Buffer.byteLength(textOf(r))).toBeLessThanOrEqual(1000);
    expect(textOf(r)).toMatch(/more line\(s\) of this rendering left out.*max_text_bytes/);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    await client.close();
  });

  it('search_logs, mine_templates (a saved model is extended), compare_logs', async () => {
    const client = await clientAs('viewer');
    const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }) as Promise<ToolText>;
    const s = await call('search_logs', { files: ['web/app.log'], query: 'timeout after \\d+0 ms', regex: true, limit: 3 });
    expect(s.structuredContent).toMatchObject({ matches: 299, omitted: 296 });
    expect(textOf(s)).toMatch(/296 more not listed \(raise limit/);

    const first = await call('mine_templates', { files: ['web/app.log'], model: 'web' });
    expect(first.structuredContent).toMatchObject({ total_templates: 2, model: 'web' });
    const again = await call('mine_templates', { files: ['web/app.log'], model: 'web' });
    const ids = (x: ToolText) => (x.structuredContent!['templates'] as { id: string; count: number }[]).map((y) => y.id).sort();
    expect(ids(again)).toEqual(ids(first));
    expect((again.structuredContent!['templates'] as { count: number }[])[0]!.count).toBe(5400);

    const c = await call('compare_logs', { files: ['web/app.log', 'web/incident.log'], incident: { from: '2024-03-01T00:50:00Z', to: '2024-03-01T01:00:00Z' } });
    const news = c.structuredContent!['new_templates'] as { items: { template: string; evidence: string[] }[] };
    expect(news.items[0]!.template).toBe('upstream billing refused connection <*>');
    expect(news.items[0]!.evidence[0]).toMatch(/^web\/incident\.log:1: /);
    await client.close();
  });

  it('bad input is an isError result that says why', async () => {
    const client = await clientAs('viewer');
    const outside = (await client.callTool({ name: 'analyze_logs', arguments: { files: ['/etc/passwd'] } })) as ToolText;
    expect(outside.isError).toBe(true);
    expect(textOf(outside)).toMatch(/^forbidden: .*outside the log roots/);
    const denied = (await client.callTool({ name: 'export_report', arguments: { kind: 'analyze', params: { files: ['web/app.log'] } } })) as ToolText;
    expect(textOf(denied)).toMatch(/^forbidden: role 'viewer' lacks permission 'logs:export'/);
    await client.close();
  });

  it('export_report writes a Markdown report, recorded in the operation log and downloadable over REST', async () => {
    const client = await clientAs('operator');
    const r = (await client.callTool({ name: 'export_report', arguments: { kind: 'analyze', params: { files: ['web/*.gz'] }, format: 'markdown' } })) as ToolText;
    expect(r.isError).toBeFalsy();
    const { name, download } = r.structuredContent as { name: string; download: string };
    const res = await t.app.inject({ method: 'GET', url: download, headers: await t.login() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/markdown/);
    expect(res.body).toMatch(/^# Log analysis/);
    expect(res.body).toContain('Requests: 500');
    const audit = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'analyzer.export').execute();
    expect(audit.some((a) => a.target_id === name && a.outcome === 'success' && a.actor_type === 'api_key')).toBe(true);
    await client.close();
  });
});

describe('REST /analyzer', () => {
  it('analyzes, refuses bad input as problem+json, exports CSV and serves it', async () => {
    const headers = await t.login();
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/analyzer/analyze', headers, payload: { files: ['web/access.log.gz'] } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ entries: 500, access: { requests: 500 } });
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/analyzer/search', headers, payload: { text: 'x', query: '(?<=a)b', regex: true } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/analyzer/analyze', headers, payload: { files: ['../../../etc/passwd'] } });
    expect(out.statusCode).toBe(403);
    const exp = await t.app.inject({ method: 'POST', url: '/api/v1/analyzer/exports', headers, payload: { kind: 'templates', params: { files: ['web/app.log'] }, format: 'csv' } });
    expect(exp.statusCode).toBe(201);
    const csv = await t.app.inject({ method: 'GET', url: exp.json<{ download: string }>().download, headers });
    expect(csv.body.split('\r\n')[0]).toBe('id,count,template,first_seen,last_seen,example');
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/analyzer/exports/report-none.csv', headers });
    expect(missing.statusCode).toBe(404);
  });
});
