import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeBucketMode = 'ok' | '403' | '404' | '500' | 'hang';

/**
 * A minimal S3 endpoint (path style, bucket `b`) for what s3rver cannot hold: keys no file system
 * stores (`..`, absolute, control characters) and a bucket that refuses, fails or never answers.
 */
export async function startFakeBucket(keys: string[]): Promise<{ endpoint: string; setMode(m: FakeBucketMode): void; close(): Promise<void> }> {
  let mode: FakeBucketMode = 'ok';
  // eslint-disable-next-line no-control-regex
  const xml = (s: string) => s.replace(/[<>&'"\u0000-\u001f]/g, (c) => `&#${c.charCodeAt(0)};`);
  const server: Server = createServer((req, res) => {
    if (mode === 'hang') return;
    const fail = (status: number, code: string) => res.writeHead(status, { 'content-type': 'application/xml' }).end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
    if (mode === '403') return fail(403, 'AccessDenied');
    if (mode === '404') return fail(404, 'NoSuchBucket');
    if (mode === '500') return fail(500, 'InternalError');
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('list-type') === '2') {
      const contents = keys.map((k) => `<Contents><Key>${xml(k)}</Key><Size>5</Size><ETag>"x"</ETag><LastModified>2026-12-01T00:00:00.000Z</LastModified></Contents>`).join('');
      return res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0"?><ListBucketResult><Name>bkt</Name><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`);
    }
    res.writeHead(200, { 'content-length': '5', etag: '"x"' }).end(req.method === 'HEAD' ? undefined : 'hello');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setMode: (m) => (mode = m),
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
