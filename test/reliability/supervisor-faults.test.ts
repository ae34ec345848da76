import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlive, isGroupAlive, spawnChild, type ChildHandle, type SpawnChild } from '../../src/servers/process/child-process.js';
import type { ServerConfig } from '../../src/servers/server-config.js';
import { createSupervisor, type Supervisor } from '../../src/servers/supervision/supervisor.js';
import { descendantsOf, liveGroupMembers } from '../helpers/processes.js';
import { useTempDirs } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * 500 start / fault / stop cycles over every kind of misbehaving stdio child (test/fixtures/mcp/faulty.mjs):
 * afterwards no process of ours is left (by process group and by parentage), the platform's file
 * descriptors are back to where they were, and its memory stays bounded. Prints its figures last.
 */

const tempDir = useTempDirs();
const FAULTY = fileURLToPath(new URL('../fixtures/mcp/faulty.mjs', import.meta.url));
const CYCLES = Number(process.env.SUPERVISOR_FAULT_CYCLES ?? 500);
const LANES = 4;
const KINDS = ['exit-now', 'crash', 'ignore-term', 'grandchild', 'flood', 'half-frame', 'half-hang', 'hang', 'leak'] as const;
type Kind = (typeof KINDS)[number];

const openFds = () => readdirSync('/proc/self/fd').length;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const mib = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

function config(name: string, kind: Kind): ServerConfig {
  const env: Record<string, string> = { FAULT: kind, FLOOD_BYTES: String(512 * 1024), LEAK_MB: '32' };
  // exit-now and crash restart on failure, so the retry budget and fatal are exercised every cycle.
  const restart = kind === 'exit-now' || kind === 'crash' ? 'on-failure' : 'never';
  return { name, transport: 'stdio', command: process.execPath, args: [FAULTY], env, restart_policy: restart, max_retries: 2, timeout_ms: 10_000 };
}

interface Run {
  sut: Supervisor;
  children: ChildHandle[];
  grandchildren: number[];
}

/** One cycle: start a child with this fault, provoke it, check the supervisor's answer, stop. */
async function cycle(run: Run, name: string, kind: Kind): Promise<void> {
  const { sut } = run;
  sut.register(config(name, kind));
  const started = await sut.start(name);
  if (kind === 'exit-now') {
    // Documented: max_retries (2) automatic restarts, then fatal; 3 failures counted.
    expect(started.state, started.lastError ?? '').toBe('backoff');
    await waitFor(() => sut.status(name).state === 'fatal', 15_000, `${name} to go fatal`);
    expect(sut.status(name)).toMatchObject({ failures: 3, lastExit: { code: 3, signal: null } });
    expect(sut.status(name).lastError).toMatch(/exited with code 3/);
    await sut.stop(name);
    return;
  }
  expect(started.state, started.lastError ?? '').toBe('running');
  const conn = await sut.connection(name);
  switch (kind) {
    case 'crash': {
      // The pending call fails at once, the server comes back (on-failure), and serves again.
      await expect(conn.callTool('fault', {}, { timeoutMs: 5000 })).rejects.toThrow(/went away|closed|exited/);
      await waitFor(() => sut.status(name).state === 'running' && sut.status(name).pid !== started.pid, 15_000, `${name} restarted`);
      expect(await (await sut.connection(name)).callTool('echo', { message: 'back' })).toMatchObject({ content: [{ text: 'back' }] });
      break;
    }
    case 'half-frame':
      await expect(conn.callTool('fault', {}, { timeoutMs: 5000 })).rejects.toThrow(/went away|closed|exited/);
      await waitFor(() => sut.status(name).state !== 'running', 5000, `${name} to leave running`);
      break;
    case 'half-hang':
    case 'hang':
      await expect(conn.callTool('fault', {}, { timeoutMs: 300 })).rejects.toThrow(/time|300/i);
      if (kind === 'hang') expect(await conn.callTool('echo', { message: 'still' })).toMatchObject({ content: [{ text: 'still' }] });
      break;
    case 'grandchild': {
      const res = await conn.callTool('fault', {});
      run.grandchildren.push((res.structuredContent as { pid: number }).pid);
      break;
    }
    default: {
      await conn.callTool('fault', {});
      expect(await conn.callTool('echo', { message: kind })).toMatchObject({ content: [{ text: kind }] });
    }
  }
  expect((await sut.stop(name)).state).toBe('stopped');
}

describe('supervisor faults: 500 start/fault/stop cycles', () => {
  it('leave 0 orphan processes, 0 leaked file descriptors and bounded memory', { timeout: 900_000 }, async () => {
    const children: ChildHandle[] = [];
    const spawn: SpawnChild = async (req) => {
      const child = await spawnChild(req);
      children.push(child);
      return child;
    };
    const pidDir = tempDir('mcps-faults-');
    const sut = createSupervisor({
      spawn,
      pidDir,
      health: null,
      backoff: { baseMs: 20, capMs: 100, jitter: 0 },
      stopTimeouts: { stdinMs: 150, termMs: 250, killMs: 2000 },
    });
    const run: Run = { sut, children, grandchildren: [] };

    // Warm up once per kind (module caches, lazily opened descriptors), then take the baseline.
    for (const kind of KINDS) await cycle(run, `warm-${kind}`, kind);
    await waitFor(() => descendantsOf(process.pid).length === 0, 10_000, 'warm-up children gone');
    gc();
    const before = { fds: openFds(), ...process.memoryUsage() };
    const t0 = Date.now();

    let next = 0;
    const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
    const lane = async (l: number) => {
      for (let i = next++; i < CYCLES; i = next++) {
        const kind = KINDS[i % KINDS.length] as Kind;
        await cycle(run, `lane${l}`, kind);
        counts[kind]++;
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, l) => lane(l)));
    const seconds = (Date.now() - t0) / 1000;

    // Descriptors of the last children close as their streams end: give them a moment.
    await waitFor(() => openFds() <= before.fds, 10_000, `fds back to ${before.fds} (now ${openFds()})`).catch(() => {});
    gc();
    const after = { fds: openFds(), ...process.memoryUsage() };

    const orphanGroups = children.filter((c) => liveGroupMembers(c.pgid).length > 0 || isGroupAlive(c.pgid));
    const orphanGrandchildren = run.grandchildren.filter(isAlive);
    const descendants = descendantsOf(process.pid);
    const figures = {
      cycles: Object.values(counts).reduce((a, b) => a + b, 0),
      per_kind: counts,
      children_spawned: children.length,
      orphan_groups: orphanGroups.length,
      orphan_grandchildren: orphanGrandchildren.length,
      live_descendants: descendants.length,
      pid_files_left: readdirSync(pidDir).length,
      fds_before: before.fds,
      fds_after: after.fds,
      heap_mib_before: mib(before.heapUsed),
      heap_mib_after: mib(after.heapUsed),
      rss_mib_before: mib(before.rss),
      rss_mib_after: mib(after.rss),
      seconds: Math.round(seconds),
    };

    expect(figures.cycles).toBe(CYCLES);
    expect(orphanGroups.map((c) => c.pgid)).toEqual([]);
    expect(orphanGrandchildren).toEqual([]);
    expect(descendants).toEqual([]);
    expect(figures.pid_files_left).toBe(0);
    expect(after.fds - before.fds, 'file descriptors leaked').toBeLessThanOrEqual(0);
    // Stderr buffers are bounded per server and statuses keep 20 transitions: the heap may not grow with the cycles.
    expect(after.heapUsed - before.heapUsed, 'heap growth').toBeLessThan(32 * 1024 * 1024);
    expect(after.rss - before.rss, 'RSS growth').toBeLessThan(128 * 1024 * 1024);
    console.log(`supervisor-faults figures ${JSON.stringify(figures)}`);
  });
});
