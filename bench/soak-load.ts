import { CALL_TIMEOUT_MS, METRICS_TOKEN, WEBHOOK_TOKEN, api, type Platform } from './soak-platform.js';

/**
 * The soak's load, each kind a loop that runs until `until()` says stop: gateway tools/call workers,
 * Alertmanager webhook posts, log queries, live tails (SSE), console-style polling, backups, the
 * upstream killer and the metrics sampler. Every request is recorded for the figures.
 */

export interface CallRecord {
  server: string;
  start: number;
  end: number;
  ok: boolean;
  error?: string;
}
export interface KillWindow {
  server: string;
  killedAt: number;
  backAt: number;
}
export interface Sample {
  t: number;
  rss: number;
  heap: number;
  /** V8's committed heap (used + free pages it keeps) and memory outside it that V8 knows of (Buffers). */
  heapTotal: number;
  external: number;
  fds: number;
  lagP99: number;
}
export interface LoadRecord {
  calls: CallRecord[];
  /** Every other request: kind -> ok / failed, with the first few failures kept. */
  other: Record<string, { ok: number; failed: number; errors: string[] }>;
  kills: KillWindow[];
  samples: Sample[];
  /** After the load: the platform idle (bench/soak.ts). */
  cooldown: Sample[];
  sseEvents: number;
  sessionsOpened: number;
}

export function newRecord(): LoadRecord {
  return { calls: [], other: {}, kills: [], samples: [], cooldown: [], sseEvents: 0, sessionsOpened: 0 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Sleeps `ms`, or less when the run ends first (a loop must not hold the run past its end). */
async function sleepWithin(ms: number, until: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!until() && Date.now() < end) await sleep(Math.min(500, end - Date.now()));
}

function note(rec: LoadRecord, kind: string, ok: boolean, error?: string): void {
  const k = (rec.other[kind] ??= { ok: 0, failed: 0, errors: [] });
  if (ok) k.ok++;
  else {
    k.failed++;
    if (k.errors.length < 5 && error) k.errors.push(error.slice(0, 300));
  }
}

async function timed(rec: LoadRecord, kind: string, fn: () => Promise<Response>): Promise<Response | null> {
  try {
    const r = await fn();
    if (r.status >= 300) {
      note(rec, kind, false, `${r.status} ${await r.text()}`);
      return null;
    }
    note(rec, kind, true);
    return r;
  } catch (e) {
    note(rec, kind, false, String(e));
    return null;
  }
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };

async function openSession(p: Platform, server: string): Promise<string> {
  const url = `${p.base}/mcp/${server}`;
  const auth = { authorization: `Bearer ${p.gatewayKey}` };
  const init = await fetch(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...auth },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'soak', version: '1' } } }),
  });
  await init.text();
  const sid = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !sid) throw new Error(`initialize ${server}: ${init.status}`);
  await fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, ...auth, 'mcp-session-id': sid }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) }).then((r) => r.text());
  return sid;
}

/** `perServer` workers per upstream, each with one call in flight over a gateway session of its own. */
export async function gatewayLoad(p: Platform, rec: LoadRecord, perServer: number, until: () => boolean): Promise<void> {
  let id = 1;
  const lane = async (server: string, session: { sid: string | null }) => {
    while (!until()) {
      let start = Date.now();
      try {
        if (!session.sid) {
          session.sid = await openSession(p, server);
          rec.sessionsOpened++;
          // The call's time starts when it is sent (opening its session is not part of it).
          start = Date.now();
        }
        const sid = session.sid;
        const r = await fetch(`${p.base}/mcp/${server}`, {
          method: 'POST',
          headers: { ...MCP_HEADERS, authorization: `Bearer ${p.gatewayKey}`, 'mcp-session-id': sid },
          body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${id}` } } }),
          signal: AbortSignal.timeout(CALL_TIMEOUT_MS + 5000),
        });
        const text = await r.text();
        if (r.status === 404) session.sid = null;
        const ok = r.status === 200 && text.includes('"result"') && !text.includes('"isError":true');
        rec.calls.push({ server, start, end: Date.now(), ok, ...(ok ? {} : { error: `${r.status} ${text.slice(0, 200)}` }) });
      } catch (e) {
        rec.calls.push({ server, start, end: Date.now(), ok: false, error: String(e) });
        await sleep(50);
      }
    }
  };
  await Promise.all(
    p.servers.flatMap((s) => Array.from({ length: perServer }, () => lane(s.name, { sid: null }))),
  );
}

let alertSeq = 0;
function alertmanagerBody(): string {
  const alerts = Array.from({ length: 10 }, (_, k) => {
    const i = k < 3 ? alertSeq++ : Math.floor(Math.random() * Math.max(1, alertSeq));
    return {
      status: 'firing',
      labels: { alertname: `Soak${i % 20}`, instance: `node-${i}:9100`, job: 'node', severity: i % 3 ? 'warning' : 'critical' },
      annotations: { summary: `node-${i} over threshold` },
      startsAt: new Date(Date.UTC(2026, 11, 1) + i * 1000).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: i.toString(16).padStart(16, '0'),
    };
  });
  return JSON.stringify({ version: '4', groupKey: '{}:{job="node"}', truncatedAlerts: 0, status: 'firing', receiver: 'mcps', groupLabels: { job: 'node' }, commonLabels: { job: 'node' }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts });
}

/** Webhook posts, log queries and console polling, each on its own pace. */
export async function restLoad(p: Platform, rec: LoadRecord, until: () => boolean): Promise<void> {
  const auth = { authorization: `Bearer ${p.token}` };
  const get = (kind: string, url: string) => timed(rec, kind, () => fetch(`${p.base}/api/v1${url}`, { headers: auth })).then((r) => r?.text());
  const webhooks = async () => {
    while (!until()) {
      await timed(rec, 'webhook', () =>
        fetch(`${p.base}/api/v1/webhooks/alertmanager?receiver=soak-am`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` }, body: alertmanagerBody() }),
      ).then((r) => r?.text());
      await sleep(200);
    }
  };
  const logQueries = async () => {
    const urls = ['/logs/mcp?limit=50', '/logs/mcp?limit=50&server=up1', '/logs/system?limit=50', '/logs/operations?limit=20', '/logs/mcp?limit=20&method=tools%2Fcall'];
    for (let i = 0; !until(); i++) {
      await get('log query', urls[i % urls.length]!);
      await sleep(300);
    }
  };
  const console_ = async () => {
    while (!until()) {
      await Promise.all([
        get('console poll', '/tools'),
        get('console poll', '/alerts?limit=50'),
        get('console poll', '/system/backups'),
        get('console poll', '/logs/stats'),
        ...p.servers.map((s) => get('console poll', `/tools/${s.id}/status`)),
      ]);
      await sleep(1000);
    }
  };
  await Promise.all([webhooks(), logQueries(), console_()]);
}

/** Live tails: SSE streams held open for the whole run (reopened, and counted failed, when one ends early). */
export async function liveTails(p: Platform, rec: LoadRecord, until: () => boolean, stop: AbortSignal): Promise<void> {
  const tail = async (query: string) => {
    while (!until()) {
      try {
        const r = await fetch(`${p.base}/api/v1/logs/stream?${query}`, { headers: { authorization: `Bearer ${p.token}`, accept: 'text/event-stream' }, signal: stop });
        if (r.status !== 200 || !r.body) throw new Error(`${r.status} ${await r.text()}`);
        const decoder = new TextDecoder();
        for await (const chunk of r.body) rec.sseEvents += (decoder.decode(chunk as Uint8Array, { stream: true }).match(/^data:/gm) ?? []).length;
        if (!until()) note(rec, 'live tail', false, `stream ${query} ended early`);
      } catch (e) {
        if (until()) return;
        note(rec, 'live tail', false, String(e));
        await sleep(500);
      }
    }
    note(rec, 'live tail', true);
  };
  await Promise.all([tail('kind=mcp&server=up1'), tail('kind=system')]);
}

export async function backups(p: Platform, rec: LoadRecord, everyMs: number, until: () => boolean): Promise<void> {
  while (!until()) {
    await sleepWithin(everyMs, until);
    if (until()) return;
    await timed(rec, 'backup', () => fetch(`${p.base}/api/v1/system/backups`, { method: 'POST', headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' }, body: '{}' })).then((r) => r?.text());
  }
}

/** Kills a random upstream with SIGKILL every few seconds and records until when it was away. */
export async function killer(p: Platform, rec: LoadRecord, everyMs: number, until: () => boolean): Promise<void> {
  while (!until()) {
    await sleepWithin(everyMs * (0.5 + Math.random()), until);
    if (until()) return;
    const s = p.servers[Math.floor(Math.random() * p.servers.length)]!;
    const before = await api<{ state: string; pid: number | null }>(p.base, 'GET', `/api/v1/tools/${s.id}/status`, p.token);
    if (before.state !== 'running' || !before.pid) continue;
    const killedAt = Date.now();
    try {
      process.kill(before.pid, 'SIGKILL');
    } catch {
      continue;
    }
    let backAt = Date.now() + 60_000;
    for (let i = 0; i < 600; i++) {
      await sleep(100);
      const now = await api<{ state: string; pid: number | null }>(p.base, 'GET', `/api/v1/tools/${s.id}/status`, p.token).catch(() => null);
      if (now?.state === 'running' && now.pid !== before.pid) {
        backAt = Date.now();
        break;
      }
    }
    rec.kills.push({ server: s.name, killedAt, backAt });
  }
}

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export async function sampleMetrics(p: Platform): Promise<Sample> {
  const text = await (await fetch(`${p.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return {
    t: Date.now(),
    rss: metric(text, 'process_resident_memory_bytes'),
    heap: metric(text, 'nodejs_heap_size_used_bytes'),
    heapTotal: metric(text, 'nodejs_heap_size_total_bytes'),
    external: metric(text, 'nodejs_external_memory_bytes'),
    fds: metric(text, 'process_open_fds'),
    lagP99: metric(text, 'nodejs_eventloop_lag_p99_seconds'),
  };
}

export async function sampler(p: Platform, rec: LoadRecord, everyMs: number, until: () => boolean): Promise<void> {
  while (!until()) {
    await sampleMetrics(p).then((s) => rec.samples.push(s), (e) => note(rec, 'metrics', false, String(e)));
    await sleep(everyMs);
  }
}
