import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { afterAll } from 'vitest';
import { spawnChild, type ChildHandle } from './child-process.js';
import { listProcesses } from './process-table.js';
import type { ServerConfig } from './server-config.js';

/** Test helpers for the servers domain (excluded from the build by its `test-` name). */

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/mcp/', import.meta.url));

export type FixtureName =
  | 'well-behaved'
  | 'crashing'
  | 'hanging'
  | 'sigterm-ignoring'
  | 'grandchild-spawning'
  | 'noisy'
  | 'exit-immediately'
  | 'tiny';

export function fixturePath(name: FixtureName): string {
  return path.join(FIXTURES, `${name}.mjs`);
}

export const EVERYTHING_ENTRY = fileURLToPath(
  new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);

/** A stdio config running a fixture with this Node binary. */
export function fixtureConfig(name: string, fixture: FixtureName, over: Partial<ServerConfig> = {}): ServerConfig {
  return {
    name,
    transport: 'stdio',
    command: process.execPath,
    args: [fixturePath(fixture)],
    env: {},
    restart_policy: 'never',
    max_retries: 3,
    timeout_ms: 15_000,
    ...over,
  };
}

/** Polls `cond` every 20 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every live (non-zombie) descendant of `pid`: children, grandchildren, ... */
export function descendantsOf(pid: number): number[] {
  const procs = listProcesses();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift() as number;
    for (const p of procs) {
      if (p.ppid !== parent) continue;
      queue.push(p.pid);
      if (p.state !== 'Z') out.push(p.pid);
    }
  }
  return out;
}

/** Live (non-zombie) processes in the group `pgid`. */
export function liveGroupMembers(pgid: number): number[] {
  return listProcesses()
    .filter((p) => p.pgid === pgid && p.state !== 'Z')
    .map((p) => p.pid);
}

const tempDirs: string[] = [];
// Registered at import time, so it runs after all tests of the importing file.
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the OS temp dir, removed after the importing test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Runs server-everything in `mode` on `port` and waits until it listens; the caller stops it. */
export async function runEverything(mode: 'streamableHttp' | 'sse', port: number): Promise<ChildHandle> {
  const child = await spawnChild({ command: process.execPath, args: [EVERYTHING_ENTRY, mode], env: { ...getDefaultEnvironment(), PORT: String(port) } });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await waitFor(() => new RegExp(`port ${port}`).test(err), 20_000, `server-everything (${mode}) to listen`);
  return child;
}
