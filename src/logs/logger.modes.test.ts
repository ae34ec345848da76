import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createLogger } from './logger.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-log-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;
const logFiles = (d: string) => readdirSync(d).filter((f) => f.startsWith('app.')).sort();

/** Runs `fn` under a permissive umask: the modes must come from the code, not the umask. */
async function underUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}

describe('system log files are private to the platform user', () => {
  it('creates LOG_DIR 0700 and the log file 0600 (current.log points at it), whatever the umask', async () => {
    const logDir = path.join(dir, 'fresh', 'logs');
    await underUmask(0, async () => {
      const h = await createLogger({ level: 'info', logFile: path.join(logDir, 'app.log'), stdout: false });
      h.logger.info('hello');
      await h.close();
    });
    expect(mode(logDir)).toBe(0o700);
    expect(logFiles(logDir)).toEqual(['app.1.log']);
    expect(mode(path.join(logDir, 'app.1.log'))).toBe(0o600);
    expect(readlinkSync(path.join(logDir, 'current.log'))).toBe('app.1.log');
  });

  it('opens every rolled file 0600', async () => {
    const logDir = path.join(dir, 'rolled');
    await underUmask(0, async () => {
      const h = await createLogger({ level: 'info', logFile: path.join(logDir, 'app.log'), stdout: false });
      // Past the 20 MB size limit: pino-roll opens app.2.log.
      const big = 'x'.repeat(512 * 1024);
      for (let i = 0; i < 42; i++) h.logger.info({ big }, 'filler');
      h.logger.flush();
      await waitFor(() => logFiles(logDir).includes('app.2.log'), 10_000, 'the log to roll');
      h.logger.info('after the roll');
      await h.close();
    });
    for (const f of logFiles(logDir)) expect([f, mode(path.join(logDir, f))]).toEqual([f, 0o600]);
    expect(readlinkSync(path.join(logDir, 'current.log'))).toBe('app.2.log');
  });

  it('narrows log files left world-readable by an older version, and leaves an existing folder and other files alone', async () => {
    const logDir = path.join(dir, 'old');
    mkdirSync(logDir, { mode: 0o755 });
    writeFileSync(path.join(logDir, 'app.1.log'), '{}\n', { mode: 0o644 });
    writeFileSync(path.join(logDir, 'app.2.log'), '{}\n', { mode: 0o644 });
    writeFileSync(path.join(logDir, 'other.txt'), 'not ours\n', { mode: 0o644 });
    writeFileSync(path.join(logDir, 'app.conf.log'), 'not ours\n', { mode: 0o644 });
    const h = await createLogger({ level: 'info', logFile: path.join(logDir, 'app.log'), stdout: false });
    h.logger.info('hello');
    await h.close();
    expect(mode(path.join(logDir, 'app.1.log'))).toBe(0o600);
    expect(mode(path.join(logDir, 'app.2.log'))).toBe(0o600);
    expect(mode(path.join(logDir, 'other.txt'))).toBe(0o644);
    expect(mode(path.join(logDir, 'app.conf.log'))).toBe(0o644);
    expect(mode(logDir)).toBe(0o755);
  });
});
