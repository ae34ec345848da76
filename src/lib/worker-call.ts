import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * Runs functions exported by one module in a worker thread and returns their results (structured
 * clones). Used for CPU-heavy work (a backup's reading, encoding, hashing, parsing; a big log analysis)
 * so the event loop that serves requests stays free. The thread starts on first use, is reused, and never
 * keeps the process alive. With `idleExitMs` it ends after that long without work, and with it the
 * memory its heap, zlib streams and native connections held (the next call starts a new one). From
 * TypeScript sources (tsx, vitest) it imports the module through tsx's `tsImport` (loader flags do not
 * reach eval workers on Node 20); from dist/ it imports it directly.
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = workerData.tsx
  ? import(workerData.tsx).then((api) => api.tsImport(workerData.module, workerData.module))
  : import(workerData.module);
parentPort.on('message', ({ id, fn, args }) => {
  loaded
    .then((mod) => mod[fn](...args))
    .then(
      (result) => parentPort.postMessage({ id, ok: true, result }),
      (err) => parentPort.postMessage({ id, ok: false, name: err && err.name, message: err && err.message ? err.message : String(err), code: err && err.code }),
    );
});
`;

let running = 0;
/** Worker threads started by runners that have not ended yet (tests check that none is left behind). */
export const runningWorkers = (): number => running;

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; name?: string; message: string; code?: string };

export interface WorkerFailure extends Error {
  code?: string;
}

export interface WorkerRunner {
  call<T>(fn: string, args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** Error names thrown in the thread mapped to classes rebuilt here (for instanceof checks). */
  errors?: Record<string, new (message: string) => Error>;
  /** Whose thread stopped, in the error a crash gives ("backup worker stopped ..."). */
  name?: string;
  /** End the thread after this long without a call in flight (default: keep it). */
  idleExitMs?: number;
  /** The thread's heap limits (a smaller young generation keeps a short-lived thread's memory down). */
  resourceLimits?: ResourceLimits;
}

export function createWorkerRunner(moduleUrl: string, { errors = {}, name = 'worker', idleExitMs, resourceLimits }: WorkerOptions = {}): WorkerRunner {
  let worker: Worker | null = null;
  let next = 0;
  let idleTimer: NodeJS.Timeout | null = null;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  const whenIdle = (w: Worker) => {
    w.unref();
    if (idleExitMs === undefined) return;
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (worker !== w || pending.size > 0) return;
      worker = null;
      void w.terminate();
    }, idleExitMs).unref();
  };

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker = null;
  };
  const start = (): Worker => {
    const w = new Worker(BOOTSTRAP, { eval: true, workerData: { module: moduleUrl, tsx: moduleUrl.endsWith('.ts') ? tsxImporter() : null }, ...(resourceLimits ? { resourceLimits } : {}) });
    running++;
    w.once('exit', () => running--);
    w.unref();
    w.on('message', (m: Reply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (pending.size === 0) whenIdle(w);
      if (m.ok) return p.resolve(m.result);
      const Known = m.name ? errors[m.name] : undefined;
      const err: WorkerFailure = Known ? new Known(m.message) : new Error(m.message);
      if (m.code) err.code = m.code;
      p.reject(err);
    });
    // Calls in flight belong to the current thread (or to one being closed); a thread ended for
    // idleness must not fail the calls of the one started after it.
    const ours = () => worker === w || worker === null;
    w.on('error', (err) => ours() && failAll(err));
    w.on('exit', (code) => ours() && failAll(new Error(`${name} stopped (exit code ${code})`)));
    return w;
  };

  return {
    call<T>(fn: string, args: unknown[]): Promise<T> {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      worker ??= start();
      const w = worker;
      const id = ++next;
      w.ref();
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        w.postMessage({ id, fn, args });
      });
    },
    async close() {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}

/** tsx's ESM API (`tsImport`), only needed when running from TypeScript sources (tsx is a dev dependency). */
function tsxImporter(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(path.join(path.dirname(pkg), 'dist/esm/api/index.mjs')).href;
}
