import { rm, stat } from 'node:fs/promises';
import type { StorageRepository } from './storage.repository.js';

/**
 * DOWNLOADS_MAX_GB: before a download, the oldest downloaded files are removed until the new bytes
 * fit (files of the current request are kept). Returns how many were evicted; throws nothing, the
 * caller decides what "does not fit" means.
 */
export async function makeRoom(repo: StorageRepository, maxBytes: number, needed: number, keep: (row: { profile_id: string; key: string }) => boolean): Promise<{ evicted: number; fits: boolean }> {
  const files = await repo.filesOldestFirst();
  let used = files.reduce((n, f) => n + Number(f.local_size), 0);
  let evicted = 0;
  for (const f of files) {
    if (used + needed <= maxBytes) break;
    if (keep(f)) continue;
    await rm(f.local_path, { force: true });
    await repo.deleteFile(f);
    used -= Number(f.local_size);
    evicted++;
  }
  return { evicted, fits: used + needed <= maxBytes };
}

/** A recorded file still on disk with the size recorded (else it is downloaded again). */
export async function stillThere(localPath: string, size: number): Promise<boolean> {
  try {
    return (await stat(localPath)).size === Number(size);
  } catch {
    return false;
  }
}
