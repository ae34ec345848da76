interface Waiting<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Writes items in groups: those submitted in one turn of the event loop, or while the previous
 * group is written, go to `write` together (one transaction instead of one each), and each caller's
 * promise settles only once its group is written. If a group fails, its items are written again one
 * by one, so one item's failure is never another's. One group at a time.
 */
export function createGroupCommit<T>(write: (items: T[]) => Promise<void>, maxItems = 256) {
  const queue: Waiting<T>[] = [];
  let running = false;

  async function writeGroup(group: Waiting<T>[]): Promise<void> {
    try {
      await write(group.map((w) => w.item));
      for (const w of group) w.resolve();
    } catch (err) {
      if (group.length === 1) return group[0]!.reject(err);
      for (const w of group) await writeGroup([w]);
    }
  }

  async function run(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) await writeGroup(queue.splice(0, maxItems));
    } finally {
      running = false;
    }
  }

  return (item: T): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      // After this turn's I/O callbacks, so that the items submitted together share a group.
      if (queue.length === 1 && !running) setImmediate(() => void run());
    });
}
