import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES, STACK_TRACES } from '../../test/fixtures/logs/generators.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { runningWorkers } from '../lib/worker-call.js';
import { buildLogServiceServer } from '../logservice/build-server.js';
import { DEFAULT_DRAIN } from './drain.js';
import { resolveLogFiles } from './log-inputs.js';
import { MINE_PARALLEL_MIN_BYTES } from './mine-sources.js';
import { mineTemplates } from './templates.js';
import { defaultTimeOptions } from './timestamps.js';

/** mine_templates through a real MCP client on the log service, on files big enough for the worker threads. */
let t: TestApp;
let root: string;
beforeAll(async () => {
  t = await createTestApp();
  root = t.ctx.config.logRoots[0]!;
  mkdirSync(path.join(root, 'web'), { recursive: true });
  // `text` entries with stack traces, CRLF and blank lines, a first line that does not parse.
  const lines = FORMAT_SAMPLES.text(20_000).flatMap((l, i) => (i % 40 === 0 ? [l, ...STACK_TRACES.java.slice(1)] : i % 97 === 0 ? [`${l}\r`, ''] : [l]));
  const body = `${lines.join('\n')}\n`;
  writeFileSync(path.join(root, 'web', 'big-app.log'), `not a text line\n${body.repeat(Math.ceil((MINE_PARALLEL_MIN_BYTES + 1) / body.length))}`);
  writeFileSync(path.join(root, 'web', 'huge.log'), body.repeat(Math.ceil((64 * 1024 * 1024) / body.length)));
});
afterAll(async () => {
  await t.close();
});

async function client(analyzer = t.ctx.analyzer): Promise<Client> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: await t.login(), payload: { name: `viewer-${randomBytes(3).toString('hex')}`, role: 'viewer' } });
  const principal = await t.ctx.auth.authenticateApiKey(res.json<{ key: string }>().key);
  const server = buildLogServiceServer({ secrets: t.ctx.secrets, analyzer }, principal);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const c = new Client({ name: 'test', version: '0' });
  await c.connect(b);
  return c;
}

describe('mine_templates on a big file', () => {
  it('answers on worker threads with the one-thread result, with progress notifications', { timeout: 120_000 }, async () => {
    const c = await client();
    let workers = 0;
    let progress = 0;
    const r = (await c.callTool({ name: 'mine_templates', arguments: { files: ['web/big-app.log'] } }, {
      onprogress: (p) => {
        progress = p.progress;
        workers = Math.max(workers, runningWorkers());
      },
    })) as { isError?: boolean; structuredContent?: unknown };
    const [file] = await resolveLogFiles(['web/big-app.log'], [root]);
    const one = await mineTemplates([{ kind: 'file', file: file! }], { time: defaultTimeOptions() }, { params: DEFAULT_DRAIN, filter: {}, limit: 30, threads: { minBytes: Infinity } });
    expect(r.isError).toBeFalsy();
    expect(workers).toBeGreaterThan(0);
    expect(progress).toBeGreaterThan(0);
    expect(r.structuredContent).toEqual({ ...one.result, model: null });
    await c.close();
  });

  it('a cancelled call (notifications/cancelled) ends the worker threads', { timeout: 120_000 }, async () => {
    let serverSide: Promise<unknown> | null = null;
    const analyzer = { ...t.ctx.analyzer, templates: (...args: Parameters<typeof t.ctx.analyzer.templates>) => (serverSide = t.ctx.analyzer.templates(...args)) };
    const c = await client(analyzer as typeof t.ctx.analyzer);
    const before = runningWorkers();
    const abort = new AbortController();
    let during = 0;
    let read = 0;
    const call = c.callTool({ name: 'mine_templates', arguments: { files: ['web/huge.log'] } }, {
      signal: abort.signal,
      onprogress: (p) => {
        read = p.progress;
        during = Math.max(during, runningWorkers());
        abort.abort();
      },
    });
    await expect(call).rejects.toThrow();
    expect(serverSide).not.toBeNull();
    await expect(serverSide).rejects.toThrow(/cancelled/);
    expect(during).toBeGreaterThan(before);
    expect(read).toBeLessThan(64 * 1024 * 1024);
    await expect.poll(() => runningWorkers(), { timeout: 10_000 }).toBe(before);
    // The service still answers.
    const after = (await c.callTool({ name: 'mine_templates', arguments: { files: ['web/big-app.log'], limit: 1 } })) as { isError?: boolean };
    expect(after.isError).toBeFalsy();
    await c.close();
  });
});
