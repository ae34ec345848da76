import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGroupAlive, spawnChild, type ChildHandle, type SpawnChild } from '../process/child-process.js';
import { createSupervisor } from './supervisor.js';
import { fixtureConfig } from '../../../test/helpers/fixtures.js';
import { descendantsOf } from '../../../test/helpers/processes.js';
import { useTempDirs } from '../../../test/helpers/temp-dirs.js';

const tempDir = useTempDirs();

describe('supervisor: many start/stop cycles', () => {
  it('leaves no orphan after 200 start/stop cycles (4 servers x 50, in parallel)', async () => {
    const children: ChildHandle[] = [];
    const spawn: SpawnChild = async (req) => {
      const child = await spawnChild(req);
      children.push(child);
      return child;
    };
    const pidDir = tempDir('mcps-cycles-');
    const sut = createSupervisor({ spawn, pidDir, health: null });
    const names = ['c1', 'c2', 'c3', 'c4'];
    for (const n of names) sut.register(fixtureConfig(n, 'tiny'));

    const cycle = async (name: string) => {
      for (let i = 0; i < 50; i++) {
        const started = await sut.start(name);
        expect(started.state).toBe('running');
        expect(await (await sut.connection(name)).callTool('echo', { message: String(i) })).toMatchObject({
          content: [{ text: String(i) }],
        });
        expect((await sut.stop(name)).state).toBe('stopped');
      }
    };
    await Promise.all(names.map(cycle));

    expect(children).toHaveLength(200);
    expect(new Set(children.map((c) => c.pid)).size).toBe(200);
    expect(children.filter((c) => isGroupAlive(c.pgid))).toEqual([]);
    expect(descendantsOf(process.pid)).toEqual([]);
    expect(readdirSync(pidDir)).toEqual([]);
    expect(sut.list().every((s) => s.state === 'stopped' && s.restarts === 0)).toBe(true);
  }, 120_000);
});
