import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, isGroupAlive, spawnChild, type ChildHandle } from './child-process.js';
import { recordPid, reapOrphans, SUPERVISOR_TAG_ENV } from './pid-files.js';
import { fixturePath } from '../../../test/helpers/fixtures.js';
import { liveGroupMembers } from '../../../test/helpers/processes.js';
import { useTempDirs } from '../../../test/helpers/temp-dirs.js';
import { waitFor } from '../../../test/helpers/wait-for.js';

const tempDir = useTempDirs();

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const started: ChildHandle[] = [];

async function spawnFixture(name: Parameters<typeof fixturePath>[0], extraEnv: Record<string, string> = {}) {
  const child = await spawnChild({ command: process.execPath, args: [fixturePath(name)], env: { ...env, ...extraEnv } });
  started.push(child);
  return child;
}

function stderrText(child: ChildHandle): () => string {
  let text = '';
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
}

async function grandchildPid(stderr: () => string): Promise<number> {
  await waitFor(() => /grandchild pid \d+/.test(stderr()), 10_000, 'the grandchild pid on stderr');
  return Number(/grandchild pid (\d+)/.exec(stderr())?.[1]);
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop({ stdinMs: 100, termMs: 500 })));
}, 30_000);

describe('spawnChild', { timeout: 30_000 }, () => {
  it('rejects with the OS reason when the command does not exist', async () => {
    await expect(spawnChild({ command: '/nonexistent/mcp-server', args: [], env })).rejects.toThrow(/cannot start.*ENOENT/);
  });

  it('puts the child in its own process group', async () => {
    const child = await spawnFixture('hanging');
    expect(child.pgid).toBe(child.pid);
    expect(isGroupAlive(child.pgid)).toBe(true);
    expect(child.pgid).not.toBe(process.pid);
  });

  it('stop: a child that exits when stdin closes gets no signal', async () => {
    const child = await spawnFixture('well-behaved');
    const exit = await child.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(isAlive(child.pid)).toBe(false);
  });

  it('stop: kills the grandchild even though the child itself leaves on stdin close', async () => {
    const child = await spawnFixture('grandchild-spawning');
    const sleeper = await grandchildPid(stderrText(child));
    expect(isAlive(sleeper)).toBe(true);
    await child.stop({ stdinMs: 2000, termMs: 2000 });
    expect(isAlive(child.pid)).toBe(false);
    expect(isAlive(sleeper)).toBe(false);
    expect(liveGroupMembers(child.pgid)).toEqual([]);
  });

  it('stop: a SIGTERM-ignoring child is SIGKILLed', async () => {
    const child = await spawnFixture('sigterm-ignoring');
    const stderr = stderrText(child);
    await waitFor(() => stderr().includes('SIGTERM handler installed'), 10_000, 'the SIGTERM handler');
    const exit = await child.stop({ stdinMs: 200, termMs: 1000 });
    expect(exit.signal).toBe('SIGKILL');
    expect(stderr()).toContain('SIGTERM ignored');
    expect(isGroupAlive(child.pgid)).toBe(false);
  });

  it('exited resolves when the child is killed from outside', async () => {
    const child = await spawnFixture('hanging');
    process.kill(child.pid, 'SIGKILL');
    await expect(child.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    expect(child.exit()).toEqual({ code: null, signal: 'SIGKILL' });
  });
});

describe('pid files', { timeout: 30_000 }, () => {
  it('reapOrphans kills a recorded group left running by a crashed run, grandchildren included', async () => {
    const dir = tempDir('mcps-pids-');
    const tag = 'tag-crashed-run';
    const child = await spawnFixture('grandchild-spawning', { [SUPERVISOR_TAG_ENV]: tag });
    const sleeper = await grandchildPid(stderrText(child));
    recordPid(dir, { server: 'gc', pid: child.pid, pgid: child.pgid, tag, command: 'node' });

    const results = await reapOrphans(dir);

    expect(results).toEqual([{ server: 'gc', pid: child.pid, outcome: 'killed', processes: 2 }]);
    await waitFor(() => !isAlive(sleeper) && child.exit() !== null, 5000, 'the group to die');
    expect(liveGroupMembers(child.pgid)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reapOrphans kills tagged survivors of a group whose leader is gone', async () => {
    const dir = tempDir('mcps-pids-');
    const tag = 'tag-leaderless';
    const child = await spawnFixture('grandchild-spawning', { [SUPERVISOR_TAG_ENV]: tag });
    const sleeper = await grandchildPid(stderrText(child));
    recordPid(dir, { server: 'gc', pid: child.pid, pgid: child.pgid, tag, command: 'node' });
    process.kill(child.pid, 'SIGKILL');
    await child.exited;
    expect(isAlive(sleeper)).toBe(true);

    const results = await reapOrphans(dir);

    expect(results).toEqual([{ server: 'gc', pid: child.pid, outcome: 'killed', processes: 1 }]);
    await waitFor(() => !isAlive(sleeper), 5000, 'the grandchild to die');
  });

  it('reapOrphans leaves alone a pid that now names another process', async () => {
    const dir = tempDir('mcps-pids-');
    const other = await spawnFixture('hanging');
    writeFileSync(
      path.join(dir, `${other.pid}.json`),
      JSON.stringify({ server: 'old', pid: other.pid, pgid: other.pgid, startTime: '1', tag: 'not-its-tag', command: 'x' }),
    );

    const results = await reapOrphans(dir);

    expect(results).toEqual([{ server: 'old', pid: other.pid, outcome: 'gone', processes: 0 }]);
    expect(isAlive(other.pid)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reapOrphans of a missing directory is a no-op', async () => {
    await expect(reapOrphans(path.join(tempDir('mcps-pids-'), 'absent'))).resolves.toEqual([]);
  });
});
