import { spawn } from 'node:child_process';
import { builtFile } from './built-file.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Arguments for `process.execPath` that run the real CLI (`mcps ...args`), compiled once per test run. */
export function cliArgs(args: string[]): string[] {
  return [builtFile('src/main.ts'), ...args];
}

/** Runs the real CLI (`mcps ...`) in `cwd`, with only PATH and `env` in its environment. */
export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cliArgs(args), {
      cwd: opts.cwd,
      env: { PATH: process.env['PATH'] ?? '', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
