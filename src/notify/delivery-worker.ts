import type { OutboundGuard } from '../lib/outbound-guard.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import { deliverTo, rateRulesOf } from './channel-kinds.js';
import { channelSettings, type ChannelSettings } from './channel-settings.js';
import { type DeliveryOutcome, failed } from './delivery-outcome.js';
import type { Language, NotifyMessage } from './notify-message.js';
import type { NotifyRepository } from './notify.repository.js';
import type { NotifyChannelRow, NotifyDeliveryRow } from './notify.table.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface DeliveryWorkerDeps {
  repo: NotifyRepository;
  guard: Pick<OutboundGuard, 'fetch' | 'lookup'>;
  secrets: Pick<SecretsService, 'resolve'>;
  /** The clock (injectable: tests move time instead of waiting). */
  now: () => Date;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  limiter?: RateLimiter;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Attempts before a delivery is `failed` (default 8). */
  maxAttempts?: number;
  /** First retry delay, doubled per attempt up to 15 min (default 10 s). */
  backoffMs?: number;
  /** How long delivered and failed rows stay in the log (default 30 days); pruned at most hourly. */
  keepMs?: number;
}

const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * The delivery queue's worker: takes due rows in order, keeps each vendor's rate (a row over the
 * limit is postponed, not attempted), claims a row by a conditional update before sending (so no two
 * workers send it), sends, and records the outcome: delivered, pending again after a backoff (or the
 * vendor's Retry-After) for retryable failures, failed otherwise. State is in the database, so a
 * restart resumes the queue; a claim that outlives its worker (killed mid-send) is taken again once
 * it expires, so a message may then be sent twice, never lost.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps) {
  const limiter = deps.limiter ?? createRateLimiter();
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const maxAttempts = deps.maxAttempts ?? 8;
  const backoffMs = deps.backoffMs ?? 10_000;
  const ms = () => deps.now().getTime();
  const iso = (t: number) => new Date(t).toISOString();

  async function attempt(row: NotifyDeliveryRow, channel: NotifyChannelRow, settings: ChannelSettings): Promise<DeliveryOutcome> {
    let resolved: ChannelSettings;
    try {
      resolved = await deps.secrets.resolve(settings, { reason: `notification channel ${channel.name}` });
    } catch (err) {
      return failed(false, 'secret', (err as Error).message);
    }
    const msg = JSON.parse(row.message) as NotifyMessage;
    const language = (msg.language ?? channel.language) as Language;
    return deliverTo(resolved, msg, language, { guard: deps.guard, nowMs: ms(), timeoutMs });
  }

  async function settle(row: NotifyDeliveryRow, outcome: DeliveryOutcome): Promise<void> {
    const now = ms();
    const attempts = row.attempts + 1;
    if (outcome.ok) return deps.repo.settle(row.id, { status: 'delivered', delivered_at: iso(now), updated_at: iso(now), last_error: null, last_error_code: null });
    const again = outcome.retry && attempts < maxAttempts;
    const delay = Math.max(outcome.retryAfterMs ?? 0, Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** (attempts - 1)));
    await deps.repo.settle(row.id, { status: again ? 'pending' : 'failed', next_attempt_at: iso(now + (again ? delay : 0)), updated_at: iso(now), last_error: outcome.error, last_error_code: outcome.code });
  }

  /** One due row: postponed (rate), abandoned (channel gone or disabled), or claimed and sent. */
  async function process(row: NotifyDeliveryRow): Promise<boolean> {
    const channel = await deps.repo.findChannel(row.channel_id);
    const parsed = channel ? channelSettings.safeParse(JSON.parse(channel.settings)) : null;
    const now = ms();
    if (!channel || !parsed?.success || channel.enabled !== 1) {
      if (!(await deps.repo.claim(row, iso(now), iso(now + timeoutMs)))) return false;
      await settle(row, failed(false, 'channel', channel ? 'the channel is disabled or its settings are invalid' : 'the channel was deleted'));
      return true;
    }
    const rules = rateRulesOf(channel.id, parsed.data);
    const wait = limiter.wait(rules, now);
    if (wait > 0) {
      if (row.status === 'pending') await deps.repo.postpone(row.id, iso(now + wait));
      return false;
    }
    if (!(await deps.repo.claim(row, iso(now), iso(now + timeoutMs * 3 + 5_000)))) return false;
    limiter.take(rules, now);
    await settle(row, await attempt(row, channel, parsed.data));
    return true;
  }

  let prunedAt = 0;
  async function prune(): Promise<void> {
    if (ms() - prunedAt < 3_600_000) return;
    prunedAt = ms();
    await deps.repo.pruneFinished(iso(prunedAt - (deps.keepMs ?? 30 * 24 * 3_600_000)));
  }

  /** Sends what is due now, in order; returns how many rows were attempted. Prunes the log hourly. */
  async function tick(limit = 100): Promise<number> {
    await prune();
    let attempted = 0;
    for (const row of await deps.repo.due(iso(ms()), limit)) {
      try {
        if (await process(row)) attempted++;
      } catch (err) {
        deps.log?.error({ err, delivery: row.id }, 'a notification delivery failed unexpectedly');
      }
    }
    return attempted;
  }

  /** Attempts one row now if it is due (a "send test"); false when it was not (rate, claimed elsewhere). */
  async function deliverNow(id: string): Promise<boolean> {
    const row = await deps.repo.findDelivery(id);
    return row !== undefined && row.status === 'pending' && (await process(row));
  }

  return { tick, deliverNow, ...createLoop(tick, deps.log) };
}

/** Runs `tick` every `intervalMs` (and soon after `wake`), one at a time, until `stop`. */
function createLoop(tick: () => Promise<number>, log?: DeliveryWorkerDeps['log']) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = true;
  let interval = 1_000;
  const schedule = (delay: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, delay);
    timer.unref();
  };
  const run = () => {
    if (running) return schedule(interval);
    running = tick()
      .catch((err: unknown) => log?.error({ err }, 'the notification worker failed'))
      .finally(() => {
        running = null;
        schedule(interval);
      });
  };
  return {
    start(intervalMs = 1_000): void {
      interval = intervalMs;
      stopped = false;
      schedule(0);
    },
    /** A delivery was queued: look soon rather than at the next interval. */
    wake: (): void => schedule(10),
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
