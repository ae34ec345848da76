import { loadConnectConfig } from '../config.js';
import type { CliEnv } from '../cli/cli-env.js';
import { AppError } from '../http/app-error.js';
import { runningInstance } from '../system/instance-lock.js';
import { createJobsClient } from './jobs-client.js';
import type { BatchDetail, BatchView } from './jobs.schema.js';

type Opts = Record<string, string | boolean | undefined>;

/** Exit codes of `mcps jobs watch`: the batch's end. */
const WATCH_EXIT = { completed: 0, failed: 1, cancelled: 2 } as const;

function intOption(value: unknown, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError('validation', `${name}: expected a whole number ${min}-${max}, got '${String(value)}'`);
  return n;
}

function platformUrl(given: string | undefined, env: CliEnv): string {
  const url = given ?? loadConnectConfig().url;
  if (url) return url.replace(/\/+$/, '');
  env.existingInstallOnly();
  const owner = runningInstance(env.config().dataDir);
  if (!owner?.url) throw new AppError('unavailable', `no platform running on ${env.config().dataDir} (start it with \`mcps serve\`, or give --url / MCPS_URL)`);
  return owner.url;
}

export function progressText(b: BatchView): string {
  const p = b.progress;
  return `${p.done + p.failed + p.cancelled}/${p.total} (${p.done} done, ${p.failed} failed, ${p.running} running${p.cancelled ? `, ${p.cancelled} cancelled` : ''}) ${b.status}`;
}

/** A bar for a terminal, e.g. `[########------------] 40% 24/60 ...`. */
export function progressBar(b: BatchView, width = 30): string {
  const p = b.progress;
  const settled = p.done + p.failed + p.cancelled;
  const filled = p.total ? Math.round((settled / p.total) * width) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(p.total ? Math.floor((settled / p.total) * 100) : 100).padStart(3)}% ${progressText(b)}`;
}

/** Runs one `mcps jobs` command; bad input and API errors are AppErrors (one line, exit 1). */
export async function runJobsCommand(name: 'ls' | 'show' | 'watch' | 'cancel', args: unknown[], global: { url?: string; key?: string }, env: CliEnv): Promise<void> {
  const key = global.key ?? loadConnectConfig().apiKey;
  if (!key) throw new AppError('unauthorized', 'no API key: set MCPS_API_KEY (or --key) to a key with jobs:read (jobs:write to cancel)');
  const client = createJobsClient(platformUrl(global.url, env), key);
  const id = String(args[0]);
  const o = (name === 'ls' ? args[0] : args[1]) as Opts;
  switch (name) {
    case 'ls': return listBatches(client, o, env);
    case 'show': return showBatch(client, id, o, env);
    case 'cancel': {
      const b = await client.cancel(id);
      return env.out(`cancelled batch ${b.id}: ${progressText(b)}`);
    }
    case 'watch': return watchBatch(client, id, intOption(o['interval'], '--interval', 50, 60_000), intOption(o['reconnect'], '--reconnect', 0, 86_400) * 1000, env);
  }
}

async function listBatches(client: ReturnType<typeof createJobsClient>, o: Opts, env: CliEnv): Promise<void> {
  const r = await client.list({ limit: intOption(o['limit'], '--limit', 1, 200), status: o['status'] as string | undefined });
  if (o['json']) return env.out(JSON.stringify(r, null, 2));
  if (r.items.length === 0) return env.out('no batches');
  env.out(['ID', 'OPERATION', 'STATUS', 'PROGRESS', 'CREATED'].join('\t'));
  for (const b of r.items) env.out([b.id, b.operation, b.status, `${b.progress.done}/${b.progress.total} done, ${b.progress.failed} failed`, b.created_at].join('\t'));
}

async function showBatch(client: ReturnType<typeof createJobsClient>, id: string, o: Opts, env: CliEnv): Promise<void> {
  const b: BatchDetail = await client.get(id, { limit: intOption(o['limit'], '--limit', 1, 500), offset: intOption(o['offset'], '--offset', 0, 10_000_000), status: o['status'] as string | undefined });
  if (o['json']) return env.out(JSON.stringify(b, null, 2));
  env.out(`batch ${b.id} (${b.operation}) by ${b.created_by ?? '-'}, created ${b.created_at}`);
  env.out(progressText(b));
  for (const i of b.items) env.out(`#${i.seq}\t${i.status}\t${JSON.stringify(i.input)}\t${i.error ?? JSON.stringify(i.result ?? null).slice(0, 200)}`);
  if (b.items_left_out) env.out(`${b.items_left_out} more items: --offset ${b.items_offset + b.items.length}`);
}

/** Errors of a platform that is down or restarting: `watch` keeps trying through them for a while. */
const TRANSIENT = new Set(['unavailable', 'bad_gateway']);

/**
 * The batch as now, or null while the platform cannot be reached (stopped, restarting): said once on
 * stderr, then retried until `reconnectMs` have passed without an answer, when the last error is thrown.
 */
function batchPoller(client: ReturnType<typeof createJobsClient>, id: string, reconnectMs: number) {
  const warn = (line: string) => process.stderr.write(`mcps: ${line}\n`);
  let downSince: number | null = null;
  return async (): Promise<BatchView | null> => {
    try {
      const b = await client.get(id, { limit: 1, offset: 0 });
      if (downSince !== null) warn(`platform reachable again; following batch ${id}`);
      downSince = null;
      return b;
    } catch (err) {
      if (!(err instanceof AppError) || !TRANSIENT.has(err.code)) throw err;
      if (downSince === null) {
        downSince = Date.now();
        warn(`${err.message}; retrying for up to ${Math.round(reconnectMs / 1000)} s (the batch goes on when the platform is back)`);
      }
      if (Date.now() - downSince >= reconnectMs) throw err;
      return null;
    }
  };
}

async function watchBatch(client: ReturnType<typeof createJobsClient>, id: string, intervalMs: number, reconnectMs: number, env: CliEnv): Promise<void> {
  const tty = process.stdout.isTTY === true;
  const poll = batchPoller(client, id, reconnectMs);
  let last = '';
  for (;;) {
    const b = await poll();
    if (!b) {
      await new Promise((r) => setTimeout(r, Math.max(intervalMs, 500)));
      continue;
    }
    const line = tty ? progressBar(b) : progressText(b);
    if (tty) process.stdout.write(`\r${line}\u001b[K`);
    else if (line !== last) env.out(line);
    last = line;
    if (b.status !== 'running') {
      if (tty) process.stdout.write('\n');
      process.exitCode = WATCH_EXIT[b.status];
      return;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
