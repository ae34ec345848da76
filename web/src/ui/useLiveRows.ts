import { useCallback, useEffect, useRef, useState } from 'react';
import { useEventStream } from './useEventStream';

/** What a live view shows about its stream: following, (re)connecting, or given up. */
export type LiveState = 'off' | 'connecting' | 'live' | 'reconnecting' | 'lost';

/**
 * Rows pushed by a server-sent event stream (the log and stderr streams), each once by `keyOf`
 * (its event id), newest first, at most `max`. `path` null: not following (rows kept until `reset`). The
 * browser resumes a dropped stream with Last-Event-ID, so nothing is missed across a reconnection.
 */
export function useLiveRows<T extends object>(path: string | null, keyOf: (row: T) => number, max = 5000) {
  const [rows, setRows] = useState<T[]>([]);
  const seen = useRef(new Set<number>());
  const wasOpen = useRef(false);
  const onEvent = useCallback((row: T) => {
    const key = keyOf(row);
    if (typeof key !== 'number' || seen.current.has(key)) return;
    seen.current.add(key);
    setRows((prev) => [row, ...prev].slice(0, max));
      // keyOf is read at each event; callers pass a fixed function.
  }, [max, keyOf]);
  const stream = useEventStream<T>(path, onEvent);

  useEffect(() => {
    wasOpen.current = false;
  }, [path]);
  if (stream === 'open') wasOpen.current = true;

  const reset = useCallback(() => {
    seen.current = new Set();
    setRows([]);
  }, []);

  let state: LiveState = 'off';
  if (path) state = stream === 'open' ? 'live' : stream === 'lost' ? 'lost' : wasOpen.current ? 'reconnecting' : 'connecting';
  return { rows, state, reset };
}
