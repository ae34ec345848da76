import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs } from '../helpers/run-cli.js';
import { exchange, hostileFrames, judgeFrame, messagesIn, MessageStream, type Frame, type JsonRpcMessage } from './jsonrpc-frames.js';
import { createSecurityApp, type SecurityApp } from './security-app.js';

/**
 * JSON-RPC abuse of every MCP face: `/mcp`, `/mcp/{server}` (with and without a session), the legacy
 * `/sse` + `/messages`, and `mcps log-service` on stdio through the real CLI. Every hostile frame gets
 * a JSON-RPC error (or an HTTP 4xx), and the face answers a valid request after each one.
 */

const INIT = (id: string | number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } });
const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });

/**
 * Gaps this suite found that are not fixed yet, kept visible instead of failing CI (`face [frame]` ->
 * why). Remove an entry once fixed: the test fails when a listed gap no longer reproduces. None today.
 */
const KNOWN_GAPS: Record<string, string> = {};

let t: SecurityApp;
let key: Record<string, string>;
let apiKey: string;
let nextId = 1000;
const id = () => nextId++;
const tally = { frames: 0, problems: [] as string[], known: [] as string[], stale: [] as string[] };

function record(face: string, frame: Frame, problem: string | null): void {
  tally.frames++;
  const key = `${face} [${frame.name}]`;
  if (!problem) {
    if (KNOWN_GAPS[key]) tally.stale.push(`${key}: listed in KNOWN_GAPS but fixed; remove it`);
    return;
  }
  if (KNOWN_GAPS[key]) return void tally.known.push(`${key}: ${KNOWN_GAPS[key]}`);
  tally.problems.push(`${key}: ${problem}`);
  console.log(`  ${key}: ${problem}`);
}

/** This face's new problems and stale known gaps (both fail the test). */
const failuresOf = (face: string) => [...tally.problems, ...tally.stale].filter((p) => p.startsWith(face));

beforeAll(async () => {
  t = await createSecurityApp({ credentials: false });
  const res = await t.call('POST', '/auth/api-keys', { name: 'fuzz-admin', role: 'admin' });
  apiKey = res.json().key;
  key = { authorization: `Bearer ${apiKey}` };
}, 120_000);
afterAll(async () => {
  for (const k of tally.known) console.log(`  known gap: ${k}`);
  console.log(`jsonrpc fuzz: ${tally.problems.length} problems (+${tally.known.length} known gaps) in ${tally.frames} hostile frames over 4 faces (/mcp, /mcp/{server}, /sse, stdio)`);
  await t?.closeAndCheck();
});

/** POSTs a raw frame; a transport failure (e.g. a connection cut on a 10 MB body) is reported as status 0. */
async function post(url: string, raw: string, session?: string) {
  try {
    const res = await t.send('POST', url, { ...key, ...(session ? { 'mcp-session-id': session } : {}) }, undefined, raw);
    return { status: res.status, answers: messagesIn(res.contentType, res.body), session: res.headers.get('mcp-session-id') ?? undefined };
  } catch (err) {
    return { status: 0, answers: [{ transportError: String((err as Error).cause ?? err) }], session: undefined };
  }
}

async function openSession(url: string): Promise<string> {
  const init = await post(url, INIT(1));
  expect(init.status, JSON.stringify(init.answers)).toBe(200);
  await post(url, INITIALIZED, init.session);
  return init.session!;
}

async function expectAlive(url: string, session: string): Promise<boolean> {
  const ping = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 'alive', method: 'ping' }), session);
  const fresh = await post(url, INIT('alive-init'));
  return ping.answers.some((m) => m['id'] === 'alive' && m['result']) && fresh.status === 200;
}

describe('JSON-RPC abuse', () => {
  for (const [face, url, tool] of [['/mcp', '/mcp', 'probe__echo'], ['/mcp/{server}', '/mcp/probe', 'echo']] as const) {
    it(`${face}: hostile frames in a session and without one`, async () => {
      const session = await openSession(url);
      for (const frame of hostileFrames(tool, id)) {
        for (const s of [session, undefined]) {
          const res = await post(url, frame.raw, s);
          const problem = res.status === 0 ? `connection failed: ${JSON.stringify(res.answers)}` : judgeFrame(frame, res.answers, res.status);
          record(`${face}${s ? ' (session)' : ''}`, frame, problem ?? ((await expectAlive(url, session)) ? null : 'not alive afterwards'));
        }
      }
      expect(failuresOf(face)).toEqual([]);
    }, 120_000);
  }

  it('/sse: hostile frames posted to /messages', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.base}/sse`, { headers: { ...key, accept: 'text/event-stream' }, signal: controller.signal });
    expect(res.status).toBe(200);
    const stream = new MessageStream();
    let endpoint = '';
    void (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const event = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
          if (/^event: endpoint/m.test(event)) endpoint = data;
          else if (data) stream.push(JSON.parse(data));
        }
      }
    })().catch(() => {});
    while (!endpoint) await new Promise((r) => setTimeout(r, 10));
    const sendFrame = async (raw: string) => {
      try {
        return (await t.send('POST', endpoint, key, undefined, raw)).status;
      } catch {
        return 0;
      }
    };
    expect(await sendFrame(INIT('init'))).toBe(202);
    expect(await stream.answerTo('init', 0)).not.toBeNull();
    await sendFrame(INITIALIZED);
    try {
      for (const frame of hostileFrames('probe__echo', id)) {
        const statuses: number[] = [];
        const answers = await exchange(stream, frame, async (raw) => statuses.push(await sendFrame(raw)), `alive-${id()}`);
        const status = statuses[0]!;
        if (answers === null) record('/sse', frame, 'not alive afterwards (no answer to a ping)');
        else record('/sse', frame, status === 0 ? 'connection failed' : judgeFrame(frame, status === 202 ? answers : [], status));
      }
    } finally {
      controller.abort();
    }
    expect(failuresOf('/sse')).toEqual([]);
  }, 120_000);

  it('mcps log-service (stdio): hostile lines on stdin', async () => {
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, cliArgs(['log-service']), {
      cwd: t.dir,
      env: { PATH: process.env['PATH'] ?? '', ENVIRONMENT: 'test', DATABASE_URL: t.database.url, DATA_DIR: t.config.dataDir, MCPS_API_KEY: apiKey },
    });
    const stream = new MessageStream();
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        try {
          stream.push(JSON.parse(line) as JsonRpcMessage);
        } catch {
          stream.push({ notJson: line.slice(0, 200) });
        }
      }
    });
    const write = (line: string) => new Promise<void>((resolve) => child.stdin.write(`${line}\n`, () => resolve()));
    try {
      await write(INIT('init'));
      expect(await stream.answerTo('init', 0, 60_000), stderr).not.toBeNull();
      await write(INITIALIZED);
      for (const frame of hostileFrames('get_secret', id)) {
        const answers = await exchange(stream, frame, write, `alive-${id()}`);
        if (answers === null || child.exitCode !== null) record('stdio', frame, `not alive afterwards (exit ${child.exitCode}) ${stderr.slice(-300)}`);
        else record('stdio', frame, judgeFrame(frame, answers));
      }
      expect(stream.messages.filter((m) => 'notJson' in m), 'stdout carries only JSON-RPC').toEqual([]);
    } finally {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    }
    expect(failuresOf('stdio')).toEqual([]);
  }, 180_000);
});


