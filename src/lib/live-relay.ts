import { cjsExports } from './cjs-exports.js';
import type { LiveEvents, LogKind } from './live-events.js';

const KINDS: readonly LogKind[] = ['system', 'operations', 'mcp'];

export interface LiveRelay {
  stop(): Promise<void>;
}

/**
 * Several instances with REDIS_URL: "rows of this log were written" goes to every instance through
 * Redis pub/sub (ioredis), so a live log stream on one instance shows rows written on another at
 * once instead of at its next poll of the database. Each instance publishes its own writes with its
 * id and passes on the others' to its local listeners, never back to Redis. Only the hint travels:
 * streams read the rows from the database as before. Redis down: the poll still catches up.
 */
export async function startLiveRelay(deps: {
  live: LiveEvents;
  redisUrl: string;
  /** Installs sharing one Redis keep apart by it (the BullMQ prefix, MCPS_JOBS_QUEUE_PREFIX). */
  prefix: string;
  instanceId: string;
  onError(err: unknown): void;
}): Promise<LiveRelay> {
  const CHANNEL = `${deps.prefix}:live:logs`;
  const { Redis } = cjsExports(await import('ioredis'), 'Redis');
  const pub = new Redis(deps.redisUrl, { maxRetriesPerRequest: 1 }).on('error', deps.onError);
  const sub = new Redis(deps.redisUrl, { maxRetriesPerRequest: null }).on('error', deps.onError);
  // True while passing on another instance's event: the local listener must not publish it again.
  let relaying = false;
  const off = deps.live.onLogsWritten((kind) => {
    if (relaying) return;
    pub.publish(CHANNEL, JSON.stringify({ from: deps.instanceId, kind })).catch(deps.onError);
  });
  sub.on('message', (_channel: string, message: string) => {
    let event: { from?: unknown; kind?: unknown };
    try {
      event = JSON.parse(message) as typeof event;
    } catch {
      return;
    }
    if (event.from === deps.instanceId || !KINDS.includes(event.kind as LogKind)) return;
    relaying = true;
    try {
      deps.live.logsWritten(event.kind as LogKind);
    } finally {
      relaying = false;
    }
  });
  // Not awaited: with Redis down the platform still starts; ioredis subscribes once it connects (and
  // again after each reconnect).
  sub.subscribe(CHANNEL).catch(deps.onError);
  return {
    async stop() {
      off();
      await Promise.allSettled([sub.quit(), pub.quit()]);
    },
  };
}
