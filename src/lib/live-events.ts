export type LogKind = 'system' | 'operations' | 'mcp';

export interface StderrLine {
  server: string;
  /** 1-based number of the line among all the server's stderr lines since it was registered. */
  seq: number;
  line: string;
}

type Listener<T> = (event: T) => void;

/**
 * In-process announcements for live streams (SSE): "rows of this log were written", "a server wrote
 * a stderr line". Only this process's writes are announced; readers that need other instances' rows
 * also poll (src/logs/log-tail.ts). A listener must be quick and must not throw: one that throws is
 * reported and the others still run.
 */
export function createLiveEvents(onListenerError: (err: unknown) => void = () => {}) {
  const logs = new Set<Listener<LogKind>>();
  const stderr = new Set<Listener<StderrLine>>();
  const emit = <T>(set: Set<Listener<T>>, event: T) => {
    for (const fn of set) {
      try {
        fn(event);
      } catch (err) {
        onListenerError(err);
      }
    }
  };
  const on = <T>(set: Set<Listener<T>>, fn: Listener<T>) => {
    set.add(fn);
    return () => void set.delete(fn);
  };
  return {
    logsWritten: (kind: LogKind) => emit(logs, kind),
    stderrLine: (event: StderrLine) => emit(stderr, event),
    onLogsWritten: (fn: Listener<LogKind>) => on(logs, fn),
    onStderrLine: (fn: Listener<StderrLine>) => on(stderr, fn),
  };
}

export type LiveEvents = ReturnType<typeof createLiveEvents>;
