import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readProcess } from '../servers/process/process-table.js';
import { acquireInstanceLock, INSTANCE_LOCK_FILE, InstanceLockedError, runningInstance } from './instance-lock.js';

const root = mkdtempSync(path.join(tmpdir(), 'mcps-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dataDir = () => path.join(root, `d${n++}`, 'data');
const lockFile = (dir: string) => path.join(dir, INSTANCE_LOCK_FILE);
const record = (pid: number, startTime: string | null) => JSON.stringify({ pid, startTime, startedAt: new Date().toISOString(), url: 'http://127.0.0.1:1' });

describe('instance lock', () => {
  it('creates the data folder 0700 and a 0600 lock naming this process, then its URL; release removes it', () => {
    const dir = dataDir();
    const lock = acquireInstanceLock(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(lockFile(dir)).mode & 0o777).toBe(0o600);
    expect(runningInstance(dir)).toMatchObject({ pid: process.pid, url: null });
    lock.setUrl('http://127.0.0.1:8000');
    expect(runningInstance(dir)).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:8000' });
    lock.release();
    expect(existsSync(lockFile(dir))).toBe(false);
    expect(runningInstance(dir)).toBeNull();
  });

  it('refuses while the owner runs, naming its pid and URL', () => {
    const dir = dataDir();
    const lock = acquireInstanceLock(dir);
    lock.setUrl('http://127.0.0.1:8000');
    expect(() => acquireInstanceLock(dir)).toThrow(InstanceLockedError);
    expect(() => acquireInstanceLock(dir)).toThrow(`another instance is running on ${dir}: pid ${process.pid}, http://127.0.0.1:8000 (stop it with \`mcps stop\`)`);
    lock.release();
  });

  it('takes over a lock whose owner has exited, or whose pid now names another process', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    for (const stale of [record(dead, '1'), record(process.pid, 'another start time'), 'not json']) {
      const dir = dataDir();
      acquireInstanceLock(dir).release();
      writeFileSync(lockFile(dir), stale);
      expect(runningInstance(dir)).toBeNull();
      const lock = acquireInstanceLock(dir);
      expect(JSON.parse(readFileSync(lockFile(dir), 'utf8'))).toMatchObject({ pid: process.pid, startTime: readProcess(process.pid)?.startTime });
      lock.release();
    }
  });

  it('release leaves a lock that is no longer ours', () => {
    const dir = dataDir();
    const lock = acquireInstanceLock(dir);
    writeFileSync(lockFile(dir), record(1, null));
    lock.release();
    expect(existsSync(lockFile(dir))).toBe(true);
  });
});
