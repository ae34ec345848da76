import { execFileSync } from 'node:child_process';
import { lookup as dnsLookup } from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../test/components.js';
import { startDashboardSite, type DashboardSite } from '../../test/helpers/dashboard-site.js';
import { needs } from '../../test/helpers/needs.js';
import { readPng } from '../../test/helpers/png.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { createOutboundGuard } from '../lib/outbound-guard.js';
import { createOutboundPolicy } from '../lib/outbound-policy.js';
import { localCaller } from '../secrets/secret-caller.js';
import { createCaptureService } from './capture.service.js';

const CLI = localCaller('cli', 'test');
/** A host name whose DNS lookup never answers (through the outbound guard's resolver seam). */
const SILENT_NAME = 'silent-dns.test';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

/**
 * Capture's bad input beyond capture.browser.test.ts: a TLS error, a huge page (20,000 px tall: the
 * capture is the viewport; 50 MB of HTML: refused past the response limit, never read whole) and a
 * DNS server that never answers. Each is a clear error; a capture right after works and the platform
 * keeps answering.
 */
describe.skipIf(!needs('chromium'))('capture bad input: TLS, huge pages, DNS timeout', () => {
  let t: TestApp;
  let site: DashboardSite;
  let dir: string;
  let tls: Server;
  let tlsPort: number;
  let big: Server;
  let bigPort: number;
  let hugeBytesSent = 0;

  beforeAll(async () => {
    site = await startDashboardSite();
    dir = mkdtempSync(path.join(tmpdir(), 'mcps-capture-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    tls = createHttpsServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => res.end('<!doctype html><p>secret dashboard</p>'));
    tlsPort = await listen(tls);
    big = createServer((req, res) => {
      if (req.url === '/tall.html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<!doctype html><body style="margin:0"><div style="height:20000px;background:rgb(0,0,200)"></div><div style="height:1000px;background:rgb(200,0,0)"></div></body>');
      }
      // 50 MB of HTML, streamed without a length (as a generated page would be), 1 MB at a time.
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<!doctype html><body>');
      const chunk = Buffer.from('<div>x</div>'.repeat(Math.floor(1048576 / 12)));
      let n = 0;
      const more = () => {
        while (n < 50 && !res.destroyed) {
          n++;
          hugeBytesSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        if (!res.destroyed) res.end('</body>');
      };
      more();
    });
    bigPort = await listen(big);
    t = await createTestApp({ CHROMIUM_PATH, MCPS_CAPTURE_BROWSERS: '1', MCPS_CAPTURE_TIMEOUT_SECONDS: '30' });
    await t.ctx.capture.createDashboard({ name: 'plain', kind: 'url', url: `${site.base}/plain.html` }, CLI);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await site?.close();
    tls?.closeAllConnections();
    big?.closeAllConnections();
    await Promise.all([tls, big].map((s) => new Promise((r) => (s ? s.close(r) : r(null)))));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The pool still captures and the platform still answers. */
  async function stillWorks(svc = t.ctx.capture): Promise<void> {
    const ok = await svc.capture({ dashboard: 'plain', width: 300, height: 200 }, CLI);
    expect(readPng(ok.data).at(150, 150).slice(0, 3)).toEqual([0, 160, 0]);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  }

  it('an https dashboard with a self-signed certificate: a TLS error naming the cause', async () => {
    await t.ctx.capture.createDashboard({ name: 'tls', kind: 'url', url: `https://127.0.0.1:${tlsPort}/` }, CLI);
    await expect(t.ctx.capture.capture({ dashboard: 'tls' }, CLI)).rejects.toMatchObject({
      code: 'bad_gateway',
      message: `127.0.0.1:${tlsPort}: TLS error: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    });
    await stillWorks();
  }, 60_000);

  it('a 20,000 px tall page: the capture is the viewport asked for, the top of the page', async () => {
    await t.ctx.capture.createDashboard({ name: 'tall', kind: 'url', url: `http://127.0.0.1:${bigPort}/tall.html` }, CLI);
    const shot = await t.ctx.capture.capture({ dashboard: 'tall', width: 400, height: 300 }, CLI);
    const png = readPng(shot.data);
    expect([png.width, png.height, shot.width, shot.height]).toEqual([400, 300, 400, 300]);
    expect(png.at(200, 299).slice(0, 3)).toEqual([0, 0, 200]);
    const pdf = await t.ctx.capture.capture({ dashboard: 'tall', width: 400, height: 300, format: 'pdf' }, CLI);
    expect(pdf.data.subarray(0, 5).toString()).toBe('%PDF-');
    // One page of the viewport's size, not 67 of them.
    expect(pdf.data.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
    await stillWorks();
  }, 60_000);

  it('a page of 50 MB: refused past the 32 MB response limit without reading the rest; no crash', async () => {
    await t.ctx.capture.createDashboard({ name: 'huge', kind: 'url', url: `http://127.0.0.1:${bigPort}/huge.html` }, CLI);
    const rssBefore = process.memoryUsage().rss;
    await expect(t.ctx.capture.capture({ dashboard: 'huge' }, CLI)).rejects.toMatchObject({
      code: 'bad_gateway',
      message: `127.0.0.1:${bigPort}: the response to http://127.0.0.1:${bigPort}/huge.html is larger than 32 MB (the capture limit)`,
    });
    // The server was not read to its end (back-pressure stops it a little past the limit).
    expect(hugeBytesSent).toBeLessThan(50 * 1_000_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1048576);
    await stillWorks();
  }, 60_000);

  it('a host name whose DNS lookup never answers: a timeout naming the lookup, before any browser is taken', async () => {
    const resolver = ((host: string, options: object, callback: (...a: unknown[]) => void) => {
      if (host === SILENT_NAME) return; // never answers
      dnsLookup(host, options, callback);
    }) as typeof dnsLookup;
    const guard = createOutboundGuard(createOutboundPolicy(['127.0.0.1', '::1', 'localhost']), resolver, { lookupTimeoutMs: 500 });
    const sut = createCaptureService({
      db: t.ctx.db, audit: t.ctx.audit, guard, secrets: t.ctx.secrets, dataDir: t.config.dataDir, apiPrefix: '/api/v1',
      config: { ...t.config.capture, browsers: 1, timeoutMs: 20_000 }, allowedHosts: () => [`${SILENT_NAME}:${site.canaryPort}`],
    });
    try {
      await expect(sut.capture({ url: `http://${SILENT_NAME}:${site.canaryPort}/` }, CLI)).rejects.toMatchObject({
        code: 'gateway_timeout',
        message: `${SILENT_NAME}:${site.canaryPort}: the DNS lookup of '${SILENT_NAME}' did not answer within 0.5 s`,
      });
      expect(sut.poolStats().launches).toBe(0);
      await stillWorks(sut);
      expect(site.canaryHits).toEqual([]);
    } finally {
      await sut.close();
      await guard.close();
    }
  }, 60_000);
});
