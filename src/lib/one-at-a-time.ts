/**
 * A queue of async jobs run one after another: each starts once the previous one settled
 * (resolved or rejected); each caller gets its own job's result.
 */
export function oneAtATime(): <T>(fn: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
}
