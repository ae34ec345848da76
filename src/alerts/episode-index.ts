import type { AlertTable } from './alerts.table.js';

/** Episodes remembered at most (about 150 bytes each); a forgotten one is simply written again. */
const MAX_EPISODES = 200_000;

/**
 * What this process knows to be committed: the status of alert episodes (fingerprint + startsAt) it
 * stored or saw stored, entered only after the transaction committed. A repeated delivery of a known
 * episode changes nothing but its delivery count (a firing repeat never reopens a row; a resolve of a
 * resolved one is the same resolve), so it is answered from here without a write in the request's
 * transaction (repeat-deliveries.ts writes the count behind). A stale entry is harmless: rows are
 * never deleted; if another instance or a person resolved the episode, the repeat would have left the
 * row as it is too. Bounded: the oldest entries go first.
 */
export function createEpisodeIndex(max = MAX_EPISODES) {
  const status = new Map<string, AlertTable['status']>();
  return {
    get: (key: string) => status.get(key),
    set(key: string, s: AlertTable['status']): void {
      if (status.get(key) === s) return;
      status.delete(key);
      if (status.size >= max) status.delete(status.keys().next().value!);
      status.set(key, s);
    },
    delete: (key: string) => void status.delete(key),
    clear: () => status.clear(),
    get size() {
      return status.size;
    },
  };
}

export type EpisodeIndex = ReturnType<typeof createEpisodeIndex>;
