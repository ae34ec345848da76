import { type ChildProcess, spawn } from 'node:child_process';
import { cliArgs } from './run-cli.js';

export interface ServeRun {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  /** Resolves once GET /health answers 200; rejects if the process exits first or `ms` pass. */
  ready(ms?: number): Promise<void>;
}

/** Starts the real `mcps serve` (compiled once per test run, as runCli) in `cwd` with only PATH, PORT and `env` in its environment. */
export function serveCli(opts: { cwd: string; port: number; env?: Record<string, string> }): ServeRun {
  const child = spawn(process.execPath, cliArgs(['serve']), {
    cwd: opts.cwd,
    env: { PATH: process.env['PATH'] ?? '', PORT: String(opts.port), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (c) => {
      code = c;
      resolve(c);
    }),
  );
  const url = `http://127.0.0.1:${opts.port}`;
  const output = () => ({ stdout, stderr });
  const ready = async (ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (code !== undefined) throw new Error(`mcps serve exited with ${code} before listening: ${stderr}`);
      const ok = await fetch(`${url}/health`).then((r) => r.status === 200, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`mcps serve did not answer /health within ${ms} ms: ${stderr}`);
  };
  return { child, url, exited, output, ready };
}
