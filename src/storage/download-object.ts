import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import { forEachLimited } from './limited.js';
import { storageError } from './storage-errors.js';

export interface ObjectToDownload {
  bucket: string;
  key: string;
  size: number;
  etag: string;
}

export interface DownloadPlaces {
  /** The final file (written only once complete and verified). */
  dest: string;
  /** Interrupted downloads kept for resuming (DATA_DIR/partial/<profile>). */
  partialDir: string;
  /** Scratch files (DATA_DIR/temp, emptied at start). */
  tempDir: string;
}

export interface DownloadOptions {
  gunzip: boolean;
  /** Objects larger than this are fetched as parallel ranged GETs of this size. */
  partSize: number;
  partConcurrency: number;
  signal?: AbortSignal | undefined;
  onBytes?: ((n: number) => void) | undefined;
}

interface PartState {
  etag: string;
  size: number;
  partSize: number;
  done: number[];
}

const MD5_ETAG = /^"?([0-9a-f]{32})"?$/i;

/**
 * Downloads one object into `dest` without ever leaving a half-written file there: bytes go to a
 * `.part` file beside a small state file; large objects are fetched as parallel ranged GETs and a
 * later call resumes the parts not yet done (if the ETag is unchanged; every GET carries If-Match).
 * The size (and a plain MD5 ETag) is verified, the file optionally gunzipped through a temp file,
 * then renamed into place.
 */
export async function downloadObject(client: S3Client, o: ObjectToDownload, places: DownloadPlaces, opts: DownloadOptions): Promise<{ resumed: boolean; ranged: boolean; localSize: number }> {
  await mkdir(places.partialDir, { recursive: true });
  const base = path.join(places.partialDir, createHash('sha256').update(o.key).digest('hex').slice(0, 40));
  const partFile = `${base}.part`;
  const stateFile = `${base}.json`;
  const ranged = o.size > opts.partSize;
  let resumed = false;
  try {
    if (ranged) resumed = await fetchRanged(client, o, partFile, stateFile, opts);
    else await fetchWhole(client, o, partFile, opts);
    await verify(partFile, o);
  } catch (err) {
    // A ranged download keeps its parts for a resume, unless the object changed.
    const keep = ranged && !(err instanceof AppError && err.code === 'conflict') && !(err instanceof AppError && err.code === 'unprocessable');
    if (!keep) await Promise.all([rm(partFile, { force: true }), rm(stateFile, { force: true })]);
    throw err;
  }
  await mkdir(path.dirname(places.dest), { recursive: true });
  const localSize = opts.gunzip && o.key.endsWith('.gz') ? await gunzipInto(partFile, places) : await moveInto(partFile, places.dest, o.size);
  await rm(stateFile, { force: true });
  return { resumed, ranged, localSize };
}

function get(client: S3Client, o: ObjectToDownload, opts: DownloadOptions, range?: string) {
  return client
    .send(new GetObjectCommand({ Bucket: o.bucket, Key: o.key, IfMatch: o.etag, ...(range ? { Range: range } : {}) }), { abortSignal: opts.signal })
    .catch((err: unknown) => {
      throw storageError(err, `downloading ${o.key}`);
    });
}

async function fetchWhole(client: S3Client, o: ObjectToDownload, partFile: string, opts: DownloadOptions): Promise<void> {
  const res = await get(client, o, opts);
  const counter = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      opts.onBytes?.(chunk.length);
      yield chunk;
    }
  };
  try {
    await pipeline(res.Body as Readable, counter, createWriteStream(partFile), { signal: opts.signal });
  } catch (err) {
    throw storageError(err, `downloading ${o.key}`);
  }
}

async function fetchRanged(client: S3Client, o: ObjectToDownload, partFile: string, stateFile: string, opts: DownloadOptions): Promise<boolean> {
  const previous = await readState(stateFile);
  const resumable = previous && previous.etag === o.etag && previous.size === o.size && previous.partSize === opts.partSize && (await exists(partFile));
  const state: PartState = resumable ? previous : { etag: o.etag, size: o.size, partSize: opts.partSize, done: [] };
  if (!resumable) {
    await writeFile(partFile, '');
    await writeState(stateFile, state);
  }
  const count = Math.ceil(o.size / opts.partSize);
  const pending = Array.from({ length: count }, (_, i) => i).filter((i) => !state.done.includes(i));
  const partBytes = (i: number) => Math.min(o.size, (i + 1) * opts.partSize) - i * opts.partSize;
  opts.onBytes?.(state.done.reduce((n, i) => n + partBytes(i), 0));
  const fh = await open(partFile, 'r+');
  let saving = Promise.resolve();
  try {
    await forEachLimited(pending, opts.partConcurrency, async (i) => {
      const start = i * opts.partSize;
      const end = Math.min(o.size, start + opts.partSize) - 1;
      const res = await get(client, o, opts, `bytes=${start}-${end}`);
      let pos = start;
      try {
        for await (const chunk of res.Body as Readable) {
          if (pos + chunk.length > end + 1) throw new AppError('bad_gateway', `downloading ${o.key}: the storage sent more bytes than the range asked`);
          await fh.write(chunk, 0, chunk.length, pos);
          pos += chunk.length;
          opts.onBytes?.(chunk.length);
        }
      } catch (err) {
        throw storageError(err, `downloading ${o.key}`);
      }
      if (pos !== end + 1) throw new AppError('bad_gateway', `downloading ${o.key}: part ${i} ended after ${pos - start} of ${end + 1 - start} bytes`);
      state.done.push(i);
      saving = saving.then(() => writeState(stateFile, state));
      await saving;
    });
  } finally {
    await fh.close();
  }
  return Boolean(resumable);
}

async function verify(partFile: string, o: ObjectToDownload): Promise<void> {
  const { size } = await stat(partFile);
  if (size !== o.size) throw new AppError('bad_gateway', `downloading ${o.key}: got ${size} bytes, the object has ${o.size}`);
  const md5 = MD5_ETAG.exec(o.etag)?.[1];
  if (!md5) return; // A multipart ETag is not an MD5 of the content: the size is what can be checked.
  const hash = createHash('md5');
  await pipeline(createReadStream(partFile), hash);
  if (hash.digest('hex') !== md5.toLowerCase()) throw new AppError('bad_gateway', `downloading ${o.key}: the content does not match its ETag`);
}

async function gunzipInto(partFile: string, places: DownloadPlaces): Promise<number> {
  await mkdir(places.tempDir, { recursive: true });
  const tmp = path.join(places.tempDir, `${newId()}.gunzip`);
  try {
    await pipeline(createReadStream(partFile), createGunzip(), createWriteStream(tmp));
    await rename(tmp, places.dest);
  } catch (err) {
    await rm(tmp, { force: true });
    await rm(partFile, { force: true });
    throw new AppError('unprocessable', `${path.basename(places.dest)}.gz is not a valid gzip file (${(err as Error).message})`);
  }
  await rm(partFile, { force: true });
  return (await stat(places.dest)).size;
}

async function moveInto(partFile: string, dest: string, size: number): Promise<number> {
  await rename(partFile, dest);
  return size;
}

async function readState(file: string): Promise<PartState | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PartState;
  } catch {
    return null;
  }
}

async function writeState(file: string, state: PartState): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(state));
  await rename(`${file}.tmp`, file);
}

const exists = (file: string) => stat(file).then(() => true, () => false);

