import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BACKUP_ID, type BackupManifest } from './backup-format.js';

/**
 * BACKUP_DIR: `<id>.backup.gz` (the payload) and `<id>.manifest.json` beside it. A manifest is
 * written last, after the payload was read back and verified, so only sound backups are listed.
 * Metadata lives here and not in the database: a table inside the database being restored would be
 * replaced by the restore itself.
 */
/**
 * Temp files are named for the process writing them: `.tmp-<pid>@<host>.<random>`, so that a start can
 * tell a partial file of a killed process (stale) from one a live process writes (BACKUP_DIR may be
 * shared by several instances and the CLI).
 */
const TEMP_NAME = /^\.tmp-(\d+)@(.+)\.[0-9a-f]{16}$/;
const thisHost = () => hostname().replace(/[^A-Za-z0-9._-]/g, '_');

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createBackupStore(dir: string) {
  const ensure = () => mkdirSync(dir, { recursive: true, mode: 0o700 });
  const payloadPath = (id: string) => path.join(dir, `${id}.backup.gz`);
  const manifestPath = (id: string) => path.join(dir, `${id}.manifest.json`);

  return {
    dir,
    payloadPath,
    isId: (id: string) => BACKUP_ID.test(id),
    newId(now: Date = new Date()): string {
      const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
      return `mcps-${stamp}-${randomBytes(4).toString('hex')}`;
    },
    /** A fresh path for a file being written (same directory, so it can be renamed into place). */
    tempPath(): string {
      ensure();
      return path.join(dir, `.tmp-${process.pid}@${thisHost()}.${randomBytes(8).toString('hex')}`);
    },
    async list(): Promise<BackupManifest[]> {
      ensure();
      const names = (await readdir(dir)).filter((n) => n.endsWith('.manifest.json') && BACKUP_ID.test(n.slice(0, -'.manifest.json'.length)));
      const out: BackupManifest[] = [];
      for (const n of names) {
        try {
          out.push(JSON.parse(await readFile(path.join(dir, n), 'utf8')) as BackupManifest);
        } catch {
          // a manifest being replaced or damaged by hand: not listed
        }
      }
      return out.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id.localeCompare(a.id)));
    },
    async get(id: string): Promise<BackupManifest | null> {
      if (!BACKUP_ID.test(id)) return null;
      try {
        return JSON.parse(await readFile(manifestPath(id), 'utf8')) as BackupManifest;
      } catch {
        return null;
      }
    },
    /** Moves a verified payload into place, then writes its manifest (atomically, via rename). */
    async commit(tempPayload: string, manifest: BackupManifest): Promise<void> {
      await rename(tempPayload, payloadPath(manifest.id));
      await this.saveManifest(manifest);
    },
    async saveManifest(manifest: BackupManifest): Promise<void> {
      const tmp = this.tempPath();
      await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
      await rename(tmp, manifestPath(manifest.id));
    },
    /** Removes partial files a crash left behind (older than `olderThanMs`, so never one being written). */
    async cleanTemp(olderThanMs: number, now = Date.now()): Promise<number> {
      ensure();
      let n = 0;
      for (const name of await readdir(dir)) {
        if (!name.startsWith('.tmp-')) continue;
        const p = path.join(dir, name);
        try {
          if (now - (await stat(p)).mtimeMs > olderThanMs) {
            await rm(p, { force: true });
            n++;
          }
        } catch {
          // gone meanwhile
        }
      }
      return n;
    },
    /**
     * At start: removes the temp files that processes of this machine which no longer run left
     * behind (a killed backup, import or manifest write). Files of live processes and of other
     * machines sharing the folder stay (the 24 h rule of `cleanTemp` takes those), and so do
     * unnamed ones of older releases. This process writes none before it is called, so its own pid
     * on a file means a dead process whose pid came back.
     */
    async cleanStaleTemp(alive: (pid: number) => boolean = pidAlive): Promise<string[]> {
      ensure();
      const host = thisHost();
      const removed: string[] = [];
      for (const name of await readdir(dir)) {
        const m = TEMP_NAME.exec(name);
        if (!m || m[2] !== host) continue;
        const pid = Number(m[1]);
        if (pid !== process.pid && alive(pid)) continue;
        await rm(path.join(dir, name), { force: true });
        removed.push(name);
      }
      return removed;
    },
    async remove(id: string): Promise<void> {
      // Manifest first: a half-removed backup is never listed.
      await rm(manifestPath(id), { force: true });
      await rm(payloadPath(id), { force: true });
    },
  };
}

export type BackupStore = ReturnType<typeof createBackupStore>;
