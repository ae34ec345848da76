import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** About 1 MiB of text per gzip member. */
const BLOCK_BYTES = 1 << 20;

/**
 * Writes a gzip file as a series of gzip members of ~1 MiB each, compressed in parallel on libuv's
 * thread pool (as pigz does) and written in order. Any gunzip reads the members back as one stream.
 * Hashes the compressed bytes on the way.
 */
export class BlockGzipWriter {
  private readonly out: WriteStream;
  private readonly hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private inFlight: Promise<Buffer>[] = [];
  private failed: Error | null = null;
  bytes = 0;

  constructor(
    file: string,
    private readonly level: number,
    /** Blocks compressed at once: one per core, 2 to 4 (libuv's pool has 4 threads). */
    private readonly parallel = Math.min(4, Math.max(2, availableParallelism())),
  ) {
    this.out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    this.out.on('error', (err) => (this.failed = err));
  }

  async write(buf: Buffer): Promise<void> {
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= BLOCK_BYTES) await this.dispatch();
  }

  /** Flushes, closes the file; returns size and sha256 of what was written. */
  async finish(): Promise<{ size: number; sha256: string }> {
    if (this.pendingBytes > 0) await this.dispatch();
    while (this.inFlight.length > 0) await this.drainOne();
    this.out.end();
    await once(this.out, 'close');
    if (this.failed) throw this.failed;
    return { size: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Stops writing after a failure elsewhere (the caller removes the file). */
  abort(): void {
    this.out.destroy();
  }

  private async dispatch(): Promise<void> {
    const block = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const job = gzipAsync(block, { level: this.level });
    job.catch(() => {});
    this.inFlight.push(job);
    if (this.inFlight.length >= this.parallel) await this.drainOne();
  }

  private async drainOne(): Promise<void> {
    const compressed = await this.inFlight.shift()!;
    if (this.failed) throw this.failed;
    this.hash.update(compressed);
    this.bytes += compressed.length;
    if (!this.out.write(compressed)) await once(this.out, 'drain');
  }
}
