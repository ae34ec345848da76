import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { CaptureRepository } from './capture.repository.js';
import type { ScreenshotRow } from './capture.table.js';

export const MIME = { png: 'image/png', pdf: 'application/pdf' } as const;

/**
 * Screenshot files under DATA_DIR/screenshots (`<id>.png` / `<id>.pdf`, written whole then renamed),
 * their rows, and the retention: at most `keepCount` kept (0: no limit), none older than `keepDays`
 * (0: no limit), the oldest going first.
 */
export function createScreenshotStore(deps: { repo: CaptureRepository; dir: string; keepCount: number; keepDays: number; now: () => Date }) {
  const { repo, dir } = deps;
  const remove = async (row: ScreenshotRow) => {
    await repo.deleteScreenshot(row.id);
    await rm(path.join(dir, path.basename(row.file)), { force: true });
  };
  return {
    dir,

    async save(row: Omit<ScreenshotRow, 'file' | 'bytes'>, data: Buffer): Promise<ScreenshotRow> {
      await mkdir(dir, { recursive: true });
      const file = `${row.id}.${row.format}`;
      const temp = path.join(dir, `.${file}.tmp`);
      await writeFile(temp, data);
      await rename(temp, path.join(dir, file));
      const full: ScreenshotRow = { ...row, file, bytes: data.length };
      await repo.insertScreenshot(full);
      return full;
    },

    open: (row: ScreenshotRow): Readable => createReadStream(path.join(dir, path.basename(row.file))),

    remove,

    /** Applies the retention; returns how many screenshots it removed. */
    async prune(): Promise<number> {
      const before = deps.keepDays > 0 ? new Date(deps.now().getTime() - deps.keepDays * 86_400_000).toISOString() : null;
      const expired = await repo.expiredScreenshots(deps.keepCount, before);
      for (const row of expired) await remove(row);
      return expired.length;
    },
  };
}

export type ScreenshotStore = ReturnType<typeof createScreenshotStore>;
