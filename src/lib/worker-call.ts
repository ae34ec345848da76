import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Runs functions exported by one module in a worker thread and returns their results (structured
 * clones). Used for CPU-heavy work (a backup's reading, encoding, hashing, parsing; a big log analysis)
 * so the event loop that serves requests stays free. The thread starts on first use, is reused, and never
 * keeps the process alive. From TypeScript sources (tsx, vitest) it imports the module through tsx's
 * `tsImport` (loader flags do not reach eval workers on Node 20); from dist/ it imports it directly.
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

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; name?: string; message: string; code?: string };

export interface WorkerFailure extends Error {
  code?: string;
}

export interface WorkerRunner {
  call<T>(fn: string, args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

/**
 * `errors` maps error names thrown in the thread to classes rebuilt here (for instanceof checks);
 * `name` says whose thread stopped in the error a crash gives ("backup worker stopped ...").
 */
export function createWorkerRunner(moduleUrl: string, errors: Record<string, new (message: string) => Error> = {}, name = 'worker'): WorkerRunner {
  let worker: Worker | null = null;
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker = null;
  };
  const start = (): Worker => {
    const w = new Worker(BOOTSTRAP, { eval: true, workerData: { module: moduleUrl, tsx: moduleUrl.endsWith('.ts') ? tsxImporter() : null } });
    w.unref();
    w.on('message', (m: Reply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (pending.size === 0) w.unref();
      if (m.ok) return p.resolve(m.result);
      const Known = m.name ? errors[m.name] : undefined;
      const err: WorkerFailure = Known ? new Known(m.message) : new Error(m.message);
      if (m.code) err.code = m.code;
      p.reject(err);
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => failAll(new Error(`${name} stopped (exit code ${code})`)));
    return w;
  };

  return {
    call<T>(fn: string, args: unknown[]): Promise<T> {
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
