import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../http/app-error.js';
import { makeRoom, stillThere } from './download-budget.js';
import { downloadObject } from './download-object.js';
import { forEachLimited } from './limited.js';
import { localPathOf } from './local-path.js';
import type { DownloadedFile, DownloadInput, DownloadResult } from './storage.schema.js';
import type { StorageRepository } from './storage.repository.js';
import type { StorageProfileRow } from './storage.table.js';

/** File-system failures of one file (disk full, a key that is both a file and a folder) fail that file; anything else is a bug. */
function fileFailure(err: unknown, key: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new AppError('unavailable', `${key}: the disk is full`);
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') return new AppError('conflict', `${key}: its path clashes with another downloaded key (a file and a folder of the same name)`);
  if (code === 'EACCES' || code === 'EPERM') return new AppError('internal', `${key}: no permission to write the download folder`);
  throw err;
}

export interface DownloadTarget {
  key: string;
  size: number;
  etag: string;
  /** Why it cannot be downloaded (e.g. its HEAD failed). */
  error?: string;
}

export interface DownloadProgress {
  files_done: number;
  files_total: number;
  bytes_done: number;
  bytes_total: number;
}

interface RunDeps {
  client: S3Client;
  profile: StorageProfileRow;
  repo: StorageRepository;
  dirs: { downloads: string; partial: string; temp: string };
  maxBytes: number;
  partSize: number;
  now: () => string;
}

/** Files of one object download at a time, split in ranged parts this many at once. */
const PART_CONCURRENCY = 4;

/**
 * Downloads the targets (the concurrency of the request), skipping the ones already here unchanged
 * (same ETag and size, file still there), after making room within the budget. One file failing
 * does not stop the others; cancelling does.
 */
export async function runDownloads(d: RunDeps, targets: DownloadTarget[], input: Pick<DownloadInput, 'gunzip' | 'concurrency'>, control: { signal?: AbortSignal | undefined; onProgress?: ((p: DownloadProgress) => void) | undefined }): Promise<Omit<DownloadResult, 'left_out'>> {
  const root = path.join(d.dirs.downloads, d.profile.name);
  const gz = input.gunzip ? 1 : 0;
  const files: DownloadedFile[] = [];
  const todo: { target: DownloadTarget; dest: string }[] = [];
  for (const t of targets) {
    if (t.error) {
      files.push({ key: t.key, status: 'failed', path: null, bytes: 0, error: t.error });
      continue;
    }
    let dest: string;
    try {
      dest = localPathOf(root, t.key, input.gunzip);
    } catch (err) {
      files.push({ key: t.key, status: 'failed', path: null, bytes: 0, error: (err as Error).message });
      continue;
    }
    const known = await d.repo.findFile(d.profile.id, t.key, gz);
    if (known && known.etag === t.etag && Number(known.object_size) === t.size && known.local_path === dest && (await stillThere(dest, known.local_size)))
      files.push({ key: t.key, status: 'skipped', path: path.relative(d.dirs.downloads, dest), bytes: 0 });
    else todo.push({ target: t, dest });
  }

  const needed = todo.reduce((n, t) => n + t.target.size, 0);
  const inRequest = new Set(targets.map((t) => t.key));
  const room = await makeRoom(d.repo, d.maxBytes, needed, (f) => f.profile_id === d.profile.id && inRequest.has(f.key));
  if (!room.fits)
    throw new AppError('unprocessable', `the download needs ${needed} bytes, more than the room left within DOWNLOADS_MAX_GB (${d.maxBytes} bytes): select fewer files or raise the budget`);

  const progress: DownloadProgress = { files_done: 0, files_total: todo.length, bytes_done: 0, bytes_total: needed };
  const report = () => control.onProgress?.({ ...progress });
  await forEachLimited(todo, input.concurrency, async ({ target: t, dest }) => {
    if (control.signal?.aborted) return;
    try {
      const r = await downloadObject(
        d.client,
        { bucket: d.profile.bucket, key: t.key, size: t.size, etag: t.etag },
        { dest, partialDir: path.join(d.dirs.partial, d.profile.name), tempDir: d.dirs.temp },
        { gunzip: input.gunzip, partSize: d.partSize, partConcurrency: PART_CONCURRENCY, signal: control.signal, onBytes: (n) => (progress.bytes_done += n) },
      );
      await d.repo.upsertFile({ profile_id: d.profile.id, key: t.key, etag: t.etag, object_size: t.size, local_path: dest, local_size: r.localSize, gunzipped: gz, downloaded_at: d.now() });
      files.push({ key: t.key, status: 'downloaded', path: path.relative(d.dirs.downloads, dest), bytes: t.size, resumed: r.resumed, ranged: r.ranged });
    } catch (err) {
      files.push({ key: t.key, status: 'failed', path: null, bytes: 0, error: fileFailure(err, t.key).message });
    }
    progress.files_done++;
    report();
  });
  if (control.signal?.aborted) throw new AppError('unavailable', `download cancelled after ${progress.files_done} of ${progress.files_total} files; run it again to resume`);
  // A gunzipped file's size is known only once written (the room was made for the compressed bytes):
  // evict again so the folder is back within the budget.
  const after = input.gunzip ? await makeRoom(d.repo, d.maxBytes, 0, (f) => f.profile_id === d.profile.id && inRequest.has(f.key)) : { evicted: 0 };

  const count = (s: DownloadedFile['status']) => files.filter((f) => f.status === s).length;
  return {
    profile: d.profile.name,
    directory: root,
    downloaded: count('downloaded'),
    skipped: count('skipped'),
    failed: count('failed'),
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    evicted: room.evicted + after.evicted,
    files,
  };
}
