import type WebSocket from 'ws';
import type { Timers } from '../servers/supervision/timers.js';

/**
 * Ping/pong keep-alive for a client WebSocket: a ping every `intervalMs`; when neither a pong nor
 * any frame arrives within `timeoutMs` of a ping, `onDead` runs (the caller terminates the socket,
 * which reconnects). Catches peers that vanished without a close (NAT timeouts, dead hosts).
 */
export function startKeepalive(ws: WebSocket, opts: { intervalMs: number; timeoutMs: number; timers: Timers; onDead(): void }): { alive(): void; stop(): void } {
  let cancelTick: (() => void) | null = null;
  let cancelDeadline: (() => void) | null = null;
  let stopped = false;

  const alive = () => {
    cancelDeadline?.();
    cancelDeadline = null;
  };
  const tick = () => {
    cancelTick = null;
    if (stopped) return;
    // While reading is paused (back-pressure) a pong cannot be read: no verdict then.
    if (!cancelDeadline && !ws.isPaused) {
      try {
        ws.ping();
      } catch {
        // the socket is closing; its close event ends the keep-alive
      }
      cancelDeadline = opts.timers.after(opts.timeoutMs, () => {
        cancelDeadline = null;
        if (!stopped && !ws.isPaused) opts.onDead();
      });
    }
    cancelTick = opts.timers.after(opts.intervalMs, tick);
  };
  ws.on('pong', alive);
  cancelTick = opts.timers.after(opts.intervalMs, tick);
  return {
    alive,
    stop() {
      stopped = true;
      cancelTick?.();
      cancelDeadline?.();
      ws.off('pong', alive);
    },
  };
}
