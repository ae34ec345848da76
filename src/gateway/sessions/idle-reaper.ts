import type { Logger } from 'pino';
import type { GatewaySession } from './gateway-sessions.js';

/**
 * Closes HTTP and SSE sessions that saw no message for `idleMs` (in-process sessions live until
 * their owner closes them). Returns the stop function.
 */
export function startIdleReaper(deps: { idleMs: number; sessions: () => GatewaySession[]; log: Pick<Logger, 'info'> }): () => void {
  const timer = setInterval(
    () => {
      const cutoff = Date.now() - deps.idleMs;
      for (const s of deps.sessions()) {
        if (s.transport !== 'in-process' && s.lastSeenAt < cutoff) {
          deps.log.info({ session: s.id.slice(0, 8), caller: s.caller }, 'gateway: idle session closed');
          void s.close();
        }
      }
    },
    Math.min(60_000, Math.max(1_000, Math.floor(deps.idleMs / 2))),
  );
  timer.unref();
  return () => clearInterval(timer);
}
