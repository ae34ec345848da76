import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * An AsyncLocalStorage that is on only while one of its `run`s is in progress. On Node 20 and 22 an
 * enabled AsyncLocalStorage installs promise hooks for the whole process: every promise anywhere then
 * pays a hook call, and every callback from native code a pair (measured on the gateway's hot path:
 * ~20 µs of CPU a call, docs/benchmarks.md). So the storage is disabled again when its last `run` has
 * settled: a process that never needs it, or no longer does, runs without the hooks. `get` reads the
 * store within a `run` (its async continuations included, while any `run` lasts).
 */
export function createScopedStore<T>() {
  const storage = new AsyncLocalStorage<T>();
  let running = 0;
  const release = () => {
    running--;
    if (running === 0) storage.disable();
  };
  return {
    run<R>(store: T, fn: () => R): R {
      running++;
      let out: R;
      try {
        out = storage.run(store, fn);
      } catch (err) {
        release();
        throw err;
      }
      if (isThenable(out)) Promise.resolve(out).then(release, release);
      else release();
      return out;
    },
    get: (): T | undefined => storage.getStore(),
    /** Runs in progress (for tests). */
    get running(): number {
      return running;
    },
  };
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown } | null)?.then === 'function';
