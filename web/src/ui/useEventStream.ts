import { useEffect, useRef, useState } from 'react';
import { API_PREFIX } from '../api/client';

export type StreamState = 'connecting' | 'open' | 'lost';

/**
 * Server-sent events from an API path (the session cookie authenticates them), with the browser's own
 * reconnection. `onEvent` gets each message's parsed JSON. Pass null to stay disconnected.
 */
export function useEventStream<T>(path: string | null, onEvent: (data: T) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    if (!path) return;
    const source = new EventSource(`${API_PREFIX}${path}`);
    setState('connecting');
    source.onopen = () => setState('open');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'lost' : 'connecting');
    source.onmessage = (e: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(e.data) as T);
      } catch {
        // Not JSON: not one of ours.
      }
    };
    return () => source.close();
  }, [path]);

  return state;
}
