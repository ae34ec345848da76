import crypto from 'node:crypto';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';

type CipherFactory = typeof crypto.createCipheriv;

/**
 * s3rver's continuation tokens (lists of more than one page) are DES-encrypted, which OpenSSL 3
 * refuses without the legacy provider. Tokens only need to round-trip inside s3rver, so for 'des'
 * only, an identity "cipher" stands in; every other algorithm is untouched.
 */
function allowS3rverContinuationTokens(): void {
  const mutable = crypto as unknown as { createCipheriv: CipherFactory; createDecipheriv: CipherFactory; __s3rverPatched?: boolean };
  if (mutable.__s3rverPatched) return;
  mutable.__s3rverPatched = true;
  const identity = () => ({ update: (d: string | Buffer) => Buffer.from(d), final: () => Buffer.alloc(0) });
  const { createCipheriv, createDecipheriv } = mutable;
  mutable.createCipheriv = ((alg: string, ...rest: unknown[]) => (alg === 'des' ? identity() : (createCipheriv as (...a: unknown[]) => unknown)(alg, ...rest))) as unknown as CipherFactory;
  mutable.createDecipheriv = ((alg: string, ...rest: unknown[]) => (alg === 'des' ? identity() : (createDecipheriv as (...a: unknown[]) => unknown)(alg, ...rest))) as unknown as CipherFactory;
}

/** s3rver on 127.0.0.1 (a free port), storing in `directory`, with the given buckets. */
export async function startS3rver(directory: string, buckets: string[]): Promise<{ endpoint: string; close(): Promise<void> }> {
  allowS3rverContinuationTokens();
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = (await server.run()) as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() as Promise<void> };
}
