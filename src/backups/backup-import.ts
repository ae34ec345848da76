import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../http/app-error.js';
import { asAppError, type BackupContext } from './backup-context.js';
import type { AdoptBackup } from './backup-create.js';
import type { BackupManifest } from './backup-format.js';
import type { VerifiedPayload } from './verify-payload.js';

/**
 * Imports a backup file from a stream (an upload: untrusted). Stored only if it is within the size
 * limit, sound (checksums, every line, counts) and of a schema this release can restore;
 * `expectedSha256`, when given, must match the file. Callers hold the service's lock.
 */
export function createBackupImporter(ctx: BackupContext, adopt: AdoptBackup) {
  const { store, log } = ctx.deps;
  return async (body: Readable, label: string | null, expectedSha256?: string): Promise<{ manifest: BackupManifest; verified: VerifiedPayload }> => {
    const tmp = store.tempPath();
    try {
      await receive(body, tmp, ctx.deps.limits.maxUploadBytes);
      if ((await stat(tmp)).size === 0) throw new AppError('validation', 'the body is empty: send the backup file as the request body');
      const id = store.newId();
      let manifest: BackupManifest;
      let v: VerifiedPayload;
      try {
        v = await ctx.verifyPayload(tmp);
        if (expectedSha256 && v.sha256 !== expectedSha256.toLowerCase()) throw new AppError('unprocessable', 'checksum mismatch: the file does not have the sha256 given');
        await ctx.checkRestorable(v.header);
        manifest = await adopt(tmp, 'upload', label, 0, id, v);
      } catch (err) {
        throw asAppError(err);
      }
      log.info({ backup: manifest.id, rows: manifest.total_rows, bytes: manifest.size_bytes }, 'backup imported');
      return { manifest, verified: v };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  };
}

/**
 * Streams an upload to `file` within `max` bytes. The request is never destroyed: past the limit the
 * rest of the body is read and dropped, so the client gets the 413 instead of a reset connection.
 */
async function receive(body: Readable, file: string, max: number): Promise<void> {
  let size = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      size += chunk.length;
      if (size > max) cb(new AppError('payload_too_large', `the backup is larger than ${max} bytes (BACKUP_MAX_UPLOAD_MB)`));
      else cb(null, chunk);
    },
  });
  const aborted = (err: Error) => limiter.destroy(err);
  body.once('error', aborted);
  body.pipe(limiter);
  try {
    await pipeline(limiter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    body.unpipe(limiter);
    body.resume();
    throw err;
  } finally {
    body.off('error', aborted);
  }
}
