import type { PipeLog } from './pipe-log.js';

const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * The CLI's log: one readable line per event on stderr (stdout stays free),
 * `2026-01-01T12:00:00.000Z INFO  [calculator] connected to wss://host/mcp/?token=***`.
 * Callers pass text that is already redacted.
 */
export function createLineLog(level: string, write: (line: string) => void, now: () => Date = () => new Date()) {
  const min = RANK[level] ?? RANK['info']!;
  const line = (lvl: 'debug' | 'info' | 'warn' | 'error', name: string, msg: string) => {
    if (RANK[lvl]! < min) return;
    write(`${now().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${name}] ${msg}\n`);
  };
  return {
    for(name: string): PipeLog {
      return {
        debug: (msg) => line('debug', name, msg),
        info: (msg) => line('info', name, msg),
        warn: (msg) => line('warn', name, msg),
        error: (msg) => line('error', name, msg),
      };
    },
  };
}
