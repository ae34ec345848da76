/**
 * Changes to secrets, for whoever uses them by reference (a running managed server restarts on
 * `secret.rotated` / `secret.updated`). Payloads carry the name and version only, never a value.
 */
export interface SecretChange {
  name: string;
  /** The secret's current version after the change. */
  version: number;
}

export interface SecretEventMap {
  'secret.created': SecretChange;
  'secret.updated': SecretChange;
  'secret.rotated': SecretChange & { reason: string };
  'secret.deleted': SecretChange;
  'secret.restored': SecretChange;
}

export type SecretEventName = keyof SecretEventMap;
export type SecretListener<K extends SecretEventName> = (event: SecretEventMap[K]) => void | Promise<void>;

export interface SecretEvents {
  /** Subscribes; returns the unsubscribe function. */
  on<K extends SecretEventName>(name: K, listener: SecretListener<K>): () => void;
  /** Calls every listener; a listener that throws or rejects is reported, never propagated to the writer. */
  emit<K extends SecretEventName>(name: K, event: SecretEventMap[K]): void;
}

export function createSecretEvents(opts: { onListenerError?: (err: unknown, name: SecretEventName) => void } = {}): SecretEvents {
  const listeners = new Map<SecretEventName, Set<SecretListener<any>>>();
  const report = (err: unknown, name: SecretEventName) => opts.onListenerError?.(err, name);
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    },
    emit(name, event) {
      for (const listener of listeners.get(name) ?? []) {
        try {
          const r = listener(event);
          if (r instanceof Promise) r.catch((err: unknown) => report(err, name));
        } catch (err) {
          report(err, name);
        }
      }
    },
  };
}
