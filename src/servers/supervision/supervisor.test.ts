import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, isGroupAlive, spawnChild, type ChildHandle, type SpawnChild } from '../process/child-process.js';
import { reapOrphans } from '../process/pid-files.js';
import { isServerError } from '../server-errors.js';
import type { ServerState } from './server-state.js';
import type { TransitionEvent } from './server-status.js';
import { createSupervisor, type Supervisor, type SupervisorDeps } from './supervisor.js';
import { fixtureConfig } from '../../../test/helpers/fixtures.js';
import { descendantsOf } from '../../../test/helpers/processes.js';
import { useTempDirs } from '../../../test/helpers/temp-dirs.js';
import { waitFor } from '../../../test/helpers/wait-for.js';

const tempDir = useTempDirs();

interface Harness {
  sut: Supervisor;
  children: ChildHandle[];
  transitions: TransitionEvent[];
}

const harnesses: Harness[] = [];

/** A supervisor with quick timings whose spawns are recorded, so no test can leak a process. */
function make(deps: SupervisorDeps = {}): Harness {
  const children: ChildHandle[] = [];
  const spawn: SpawnChild = async (req) => {
    const child = await spawnChild(req);
    children.push(child);
    return child;
  };
  const sut = createSupervisor({
    spawn,
    backoff: { baseMs: 100, capMs: 2000, jitter: 0 },
    health: null,
    stopTimeouts: { stdinMs: 1000, termMs: 1000, killMs: 2000 },
    ...deps,
  });
  const transitions: TransitionEvent[] = [];
  sut.events.on('transition', (e) => transitions.push(e));
  const h = { sut, children, transitions };
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.sut.stopAll();
    for (const c of h.children) expect(isGroupAlive(c.pgid), `process group ${c.pgid} left behind`).toBe(false);
  }
}, 30_000);

const stateOf = (h: Harness, name: string) => h.sut.status(name).state;
const waitState = (h: Harness, name: string, state: ServerState, ms = 15_000) =>
  waitFor(() => stateOf(h, name) === state, ms, `${name} to be ${state} (is ${stateOf(h, name)})`);
const path_ = (h: Harness, name: string) => h.transitions.filter((t) => t.server === name).map((t) => `${t.from}>${t.to}`);

describe('supervisor: start, call, stop', { timeout: 30_000 }, () => {
  it('starts a server, serves calls through its one connection and stops it', async () => {
    const h = make();
    h.sut.register(fixtureConfig('wb', 'well-behaved'));

    const started = await h.sut.start('wb');
    expect(started).toMatchObject({ state: 'running', restarts: 0, lastError: null, serverInfo: { name: 'well-behaved' } });
    expect(started.pid).toBe(h.children[0]?.pid);
    expect(started.protocolVersion).toMatch(/^2025-/);

    const conn = await h.sut.connection('wb');
    expect(await h.sut.connection('wb')).toBe(conn);
    expect(await conn.callTool('echo', { message: 'hi' })).toMatchObject({ content: [{ text: 'hi' }] });
    expect((await conn.listTools()).map((t) => t.name)).toContain('add');

    const stopped = await h.sut.stop('wb');
    expect(stopped).toMatchObject({ state: 'stopped', pid: null, lastExit: { code: 0, signal: null } });
    expect(isAlive(started.pid as number)).toBe(false);
    expect(path_(h, 'wb')).toEqual(['stopped>starting', 'starting>running', 'running>stopping', 'stopping>stopped']);
    expect(h.sut.status('wb').transitions.map((t) => t.to)).toEqual(['starting', 'running', 'stopping', 'stopped']);
    await expect(h.sut.connection('wb')).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING', details: { state: 'stopped' } });
  });

  it('start and stop are idempotent; restart gives a new process', async () => {
    const h = make();
    h.sut.register(fixtureConfig('wb', 'well-behaved'));
    const [a, b] = await Promise.all([h.sut.start('wb'), h.sut.start('wb')]);
    expect(a.pid).toBe(b.pid);
    expect(h.children).toHaveLength(1);
    const again = await h.sut.restart('wb');
    expect(again.state).toBe('running');
    expect(again.pid).not.toBe(a.pid);
    await Promise.all([h.sut.stop('wb'), h.sut.stop('wb')]);
    expect(stateOf(h, 'wb')).toBe('stopped');
  });

  it('throws SERVER_NOT_FOUND for an unknown name', async () => {
    const h = make();
    await expect(h.sut.start('ghost')).rejects.toMatchObject({ code: 'SERVER_NOT_FOUND' });
    expect(() => h.sut.status('ghost')).toThrow(/no MCP server named "ghost"/);
  });

  it('keeps a pid file while running and removes it on stop', async () => {
    const pidDir = tempDir('mcps-sup-pids-');
    const h = make({ pidDir });
    h.sut.register(fixtureConfig('wb', 'well-behaved'));
    const { pid } = await h.sut.start('wb');
    expect(existsSync(path.join(pidDir, `${pid}.json`))).toBe(true);
    await h.sut.stop('wb');
    expect(readdirSync(pidDir)).toEqual([]);
  });

  it('after a platform crash, reapOrphans on the next start kills what the pid files recorded', async () => {
    const pidDir = tempDir('mcps-sup-pids-');
    const h = make({ pidDir });
    h.sut.register(fixtureConfig('gc', 'grandchild-spawning'));
    await h.sut.start('gc');
    const sleeper = ((await (await h.sut.connection('gc')).callTool('grandchild')).structuredContent as { pid: number }).pid;

    // The "crashed" platform never stops its supervisor; the next one reaps before starting anything.
    const reaped = await reapOrphans(pidDir);

    expect(reaped).toMatchObject([{ server: 'gc', outcome: 'killed', processes: 2 }]);
    await waitFor(() => !isAlive(sleeper) && !isGroupAlive(h.children[0]?.pgid as number), 5000, 'the reaped group to die');
    expect(readdirSync(pidDir)).toEqual([]);
  });

  it('a listener that throws does not break a state change', async () => {
    const h = make();
    h.sut.events.on('transition', () => {
      throw new Error('listener bug');
    });
    h.sut.register(fixtureConfig('t', 'tiny'));
    expect((await h.sut.start('t')).state).toBe('running');
    expect((await h.sut.stop('t')).state).toBe('stopped');
  });

  it('emits list_changed when a server announces a new tool', async () => {
    const h = make();
    const changed: string[] = [];
    h.sut.events.on('list_changed', (e) => changed.push(`${e.server}:${e.kind}`));
    h.sut.register(fixtureConfig('wb', 'well-behaved'));
    await h.sut.start('wb');
    const conn = await h.sut.connection('wb');
    await conn.listTools();
    await conn.callTool('add_tool', { name: 'fresh' });
    await waitFor(() => changed.includes('wb:tools'), 5000, 'list_changed');
    expect((await conn.listTools()).map((t) => t.name)).toContain('fresh');
  });

  it('stop kills grandchildren (npx-style) and SIGKILLs a server that ignores SIGTERM', async () => {
    const h = make({ stopTimeouts: { stdinMs: 300, termMs: 1000, killMs: 2000 } });
    h.sut.register(fixtureConfig('gc', 'grandchild-spawning'));
    h.sut.register(fixtureConfig('stubborn', 'sigterm-ignoring'));
    await Promise.all([h.sut.start('gc'), h.sut.start('stubborn')]);
    const gc = await (await h.sut.connection('gc')).callTool('grandchild');
    const sleeper = (gc.structuredContent as { pid: number }).pid;
    expect(isAlive(sleeper)).toBe(true);

    const [gcStatus, stubborn] = await Promise.all([h.sut.stop('gc'), h.sut.stop('stubborn')]);

    expect(isAlive(sleeper)).toBe(false);
    expect(gcStatus.state).toBe('stopped');
    expect(stubborn.lastExit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(h.sut.stderr('stubborn')).toContain('SIGTERM ignored');
  });

  it('stop during a start cancels the handshake and leaves nothing behind', async () => {
    const h = make();
    h.sut.register(fixtureConfig('hang', 'hanging', { timeout_ms: 60_000 }));
    const starting = h.sut.start('hang');
    await waitFor(() => h.children.length === 1, 10_000, 'the spawn');
    const t0 = Date.now();
    const stopped = await h.sut.stop('hang');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(stopped.state).toBe('stopped');
    expect((await starting).state).toBe('stopped');
    expect(isGroupAlive(h.children[0]?.pgid as number)).toBe(false);
  });
});

describe('supervisor: failures and restarts', { timeout: 30_000 }, () => {
  it('restarts a crashing server with exponential backoff', async () => {
    const h = make({ backoff: { baseMs: 300, capMs: 5000, jitter: 0 } });
    h.sut.register(fixtureConfig('crash', 'crashing', { env: { CRASH_AFTER_MS: '300' }, restart_policy: 'always', max_retries: 10 }));
    await h.sut.start('crash');
    await waitFor(() => h.transitions.filter((t) => t.to === 'backoff').length >= 3, 30_000, 'three crashes');
    await h.sut.stop('crash');

    const mine = h.transitions.filter((t) => t.server === 'crash');
    const waits: { planned: number; measured: number }[] = [];
    for (let i = 0; i < mine.length; i++) {
      const t = mine[i] as TransitionEvent;
      const next = mine[i + 1];
      if (t.to !== 'backoff' || next?.to !== 'starting') continue;
      const planned = Number(/in (\d+) ms$/.exec(t.reason)?.[1]);
      waits.push({ planned, measured: Date.parse(next.at) - Date.parse(t.at) });
    }
    expect(waits.length).toBeGreaterThanOrEqual(2);
    // Planned 300, 600, 1200 ms (no jitter); measured never early, late by at most a loaded machine's slack.
    waits.forEach(({ planned, measured }, i) => {
      expect(planned).toBe(300 * 2 ** i);
      expect(measured).toBeGreaterThanOrEqual(planned - 15);
      expect(measured).toBeLessThan(planned + 3000);
    });
    expect(mine.find((t) => t.to === 'backoff')?.error).toBe('MCP server "crash" went away: process exited with code 1');
    expect(h.sut.status('crash').restarts).toBeGreaterThanOrEqual(2);
    expect(h.sut.stderr('crash')).toContain('crashing on purpose after 300 ms');
  });

  it('goes fatal after the retry budget and spawns no more', async () => {
    const h = make({ backoff: { baseMs: 50, capMs: 200, jitter: 0 } });
    h.sut.register(fixtureConfig('dies', 'exit-immediately', { restart_policy: 'always', max_retries: 2 }));
    const first = await h.sut.start('dies');
    expect(first.state).toBe('backoff');
    expect(first.lastError).toMatch(/failed to start: process exited with code 3; stderr: exit-immediately: giving up at once/);

    await waitState(h, 'dies', 'fatal');
    expect(h.children).toHaveLength(3);
    expect(path_(h, 'dies')).toEqual([
      'stopped>starting',
      'starting>backoff',
      'backoff>starting',
      'starting>backoff',
      'backoff>starting',
      'starting>fatal',
    ]);
    expect(h.sut.status('dies')).toMatchObject({ restarts: 2, failures: 3, lastExit: { code: 3, signal: null } });
    await new Promise((r) => setTimeout(r, 500));
    expect(h.children).toHaveLength(3);
    await expect(h.sut.connection('dies')).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING', details: { state: 'fatal' } });

    // A person starting it again gets a fresh budget.
    expect((await h.sut.start('dies')).state).toBe('backoff');
    expect(h.children).toHaveLength(4);
  });

  it('a hanging initialize times out with a clear error and leaves no process', async () => {
    const h = make({ stopTimeouts: { stdinMs: 200, termMs: 500, killMs: 2000 } });
    h.sut.register(fixtureConfig('hang', 'hanging', { timeout_ms: 700 }));
    const status = await h.sut.start('hang');
    expect(status.state).toBe('fatal');
    expect(status.lastError).toMatch(/did not complete the initialize handshake within 700 ms/);
    expect(isGroupAlive(h.children[0]?.pgid as number)).toBe(false);
  });

  it('a command that does not exist is a clear start failure', async () => {
    const h = make();
    h.sut.register(fixtureConfig('nope', 'tiny', { command: '/nonexistent/bin/mcp-server', args: [] }));
    const status = await h.sut.start('nope');
    expect(status.state).toBe('fatal');
    expect(status.lastError).toMatch(/cannot start "\/nonexistent\/bin\/mcp-server".*ENOENT/);
  });

  it('a server killed with SIGKILL comes back (on-failure), and its pending call fails at once', async () => {
    const h = make();
    h.sut.register(fixtureConfig('wb', 'well-behaved', { restart_policy: 'on-failure' }));
    const { pid } = await h.sut.start('wb');
    const conn = await h.sut.connection('wb');
    const pending = conn.callTool('slow', { ms: 60_000 });
    await new Promise((r) => setTimeout(r, 200));

    const t0 = Date.now();
    process.kill(pid as number, 'SIGKILL');
    const err = await pending.catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(isServerError(err, 'SERVER_CONNECTION_CLOSED')).toBe(true);
    expect((err as Error).message).toMatch(/killed by SIGKILL/);

    await waitFor(() => h.sut.status('wb').state === 'running' && h.sut.status('wb').pid !== pid, 15_000, 'the restart');
    expect(h.sut.status('wb')).toMatchObject({ restarts: 1, lastExit: { signal: 'SIGKILL' } });
    expect(await (await h.sut.connection('wb')).callTool('echo', { message: 'back' })).toMatchObject({ content: [{ text: 'back' }] });
    expect(path_(h, 'wb')).toEqual(['stopped>starting', 'starting>running', 'running>backoff', 'backoff>starting', 'starting>running']);
  });

  it('on-failure does not restart a clean exit; never does not restart a crash', async () => {
    const h = make();
    h.sut.register(fixtureConfig('clean', 'crashing', { env: { CRASH_AFTER_MS: '300', CRASH_EXIT_CODE: '0' }, restart_policy: 'on-failure' }));
    h.sut.register(fixtureConfig('once', 'crashing', { env: { CRASH_AFTER_MS: '300' }, restart_policy: 'never' }));
    await Promise.all([h.sut.start('clean'), h.sut.start('once')]);
    await Promise.all([waitState(h, 'clean', 'stopped'), waitState(h, 'once', 'stopped')]);
    expect(h.sut.status('clean').lastExit).toEqual({ code: 0, signal: null });
    expect(h.sut.status('once')).toMatchObject({ lastExit: { code: 1 }, lastError: expect.stringMatching(/exited with code 1/) });
    expect(h.children).toHaveLength(2);
  });

  it('restarts a server that stops answering pings', async () => {
    const h = make({ health: { intervalMs: 200, timeoutMs: 1000, failures: 2 }, stopTimeouts: { stdinMs: 200, termMs: 500, killMs: 2000 } });
    h.sut.register(fixtureConfig('frozen', 'well-behaved', { restart_policy: 'on-failure' }));
    const { pid } = await h.sut.start('frozen');
    const frozen = (await h.sut.connection('frozen')).callTool('freeze').catch((e: unknown) => e);

    await waitFor(() => h.transitions.some((t) => t.to === 'backoff'), 15_000, 'the health check to fail');
    expect(h.transitions.find((t) => t.to === 'backoff')?.reason).toMatch(/health check failed/);
    expect(isServerError(await frozen, 'SERVER_CONNECTION_CLOSED')).toBe(true);
    await waitFor(() => h.sut.status('frozen').state === 'running', 15_000, 'the restart');
    expect(h.sut.status('frozen').pid).not.toBe(pid);
    expect(isAlive(pid as number)).toBe(false);
  });

  it('a noisy server works and its garbage is reported, not parsed', async () => {
    const h = make();
    const noise: string[] = [];
    h.sut.events.on('noise', (n) => noise.push(n.text));
    h.sut.register(fixtureConfig('noisy', 'noisy', { env: { NOISY_HUGE_BYTES: String(50 * 1024 * 1024) }, timeout_ms: 30_000 }));
    expect((await h.sut.start('noisy')).state).toBe('running');
    expect(await (await h.sut.connection('noisy')).callTool('noise')).toMatchObject({ content: [{ text: 'noisy but fine' }] });
    expect(noise).toContain('hello, this is not JSON');
    expect(noise.some((t) => t.includes('[line of 52428800 bytes dropped]'))).toBe(true);
  }, 60_000);
});

describe('supervisor: sharing one child per server', { timeout: 30_000 }, () => {
  it('1,000 calls from 50 concurrent callers keep exactly one process per running server', async () => {
    const h = make();
    const names = ['s1', 's2', 's3'];
    for (const n of names) h.sut.register(fixtureConfig(n, 'well-behaved'));
    const pids = (await Promise.all(names.map((n) => h.sut.start(n)))).map((s) => s.pid);

    let done = 0;
    const caller = async (c: number) => {
      for (let i = 0; i < 20; i++) {
        const server = names[(c + i) % names.length] as string;
        const conn = await h.sut.connection(server);
        const r = await conn.callTool('add', { a: c, b: i });
        expect(r.structuredContent).toEqual({ sum: c + i });
        done++;
      }
    };
    await Promise.all(Array.from({ length: 50 }, (_, c) => caller(c)));

    expect(done).toBe(1000);
    expect(h.children).toHaveLength(3);
    expect(names.map((n) => h.sut.status(n).pid)).toEqual(pids);
    expect(descendantsOf(process.pid).sort()).toEqual([...pids].sort());
  }, 60_000);

  it('stopAll stops every server and leaves no process', async () => {
    const h = make();
    for (const n of ['a', 'b', 'c']) h.sut.register(fixtureConfig(n, 'tiny'));
    await Promise.all(['a', 'b', 'c'].map((n) => h.sut.start(n)));
    expect(descendantsOf(process.pid)).toHaveLength(3);
    await h.sut.stopAll();
    expect(h.sut.list().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(descendantsOf(process.pid)).toEqual([]);
  });
});

describe('supervisor: remote transports', { timeout: 30_000 }, () => {
  it('a websocket URL that refuses connections backs off, then goes fatal, saying why', async () => {
    const h = make({ backoff: { baseMs: 50, capMs: 100, jitter: 0 } });
    h.sut.register({ ...fixtureConfig('ws', 'tiny'), transport: 'websocket', url: 'ws://127.0.0.1:9/mcp', restart_policy: 'always', max_retries: 1, timeout_ms: 5000 });
    await h.sut.start('ws');
    await waitFor(() => h.sut.status('ws').state === 'fatal', 15_000, 'fatal');
    expect(h.sut.status('ws').lastError).toMatch(/cannot open a WebSocket to ws:\/\/127.0.0.1:9\/mcp: connect ECONNREFUSED/);
  });

  it('a URL that refuses connections backs off, then goes fatal', async () => {
    const h = make({ backoff: { baseMs: 50, capMs: 100, jitter: 0 } });
    h.sut.register({
      ...fixtureConfig('refused', 'tiny'),
      transport: 'streamable-http',
      url: 'http://127.0.0.1:9/mcp',
      restart_policy: 'always',
      max_retries: 1,
      timeout_ms: 5000,
    });
    expect((await h.sut.start('refused')).state).toBe('backoff');
    await waitState(h, 'refused', 'fatal');
    expect(h.sut.status('refused').lastError).toMatch(/refused|fetch failed|ECONNREFUSED/i);
  });
});
