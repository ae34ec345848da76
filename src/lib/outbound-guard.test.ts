import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundGuard } from './outbound-guard.js';
import { createOutboundPolicy } from './outbound-policy.js';

describe('outbound policy', () => {
  const none = createOutboundPolicy([]);
  it.each([
    ['127.0.0.1'], ['10.1.2.3'], ['172.20.0.5'], ['192.168.1.1'], ['100.64.0.1'], ['0.0.0.0'], ['::1'], ['fe80::1'], ['fd12::1'],
    ['::ffff:127.0.0.1'], ['::ffff:10.0.0.1'], ['224.0.0.1'],
  ])('refuses %s by default', (ip) => {
    expect(none.refusal(ip, ip)).toMatch(/private, loopback or reserved/);
  });
  it('allows public addresses', () => {
    expect(none.refusal('93.184.216.34', 'example.com')).toBeNull();
    expect(none.refusal('2606:2800:220:1::1', 'example.com')).toBeNull();
  });
  it('refuses cloud metadata addresses even with *, unless listed exactly', () => {
    expect(createOutboundPolicy(['*']).refusal('169.254.169.254', 'x')).toMatch(/metadata/);
    expect(createOutboundPolicy(['169.254.0.0/16']).refusal('169.254.169.254', 'x')).toMatch(/metadata/);
    expect(createOutboundPolicy(['169.254.169.254']).refusal('169.254.169.254', 'x')).toBeNull();
    expect(createOutboundPolicy(['*']).refusal('fd00:ec2::254', 'x')).toMatch(/metadata/);
  });
  it('allows listed addresses, ranges and host names', () => {
    const p = createOutboundPolicy(['10.0.0.0/8', '::1', 'mcp.internal']);
    expect(p.refusal('10.9.9.9', 'a')).toBeNull();
    expect(p.refusal('::1', 'a')).toBeNull();
    expect(p.refusal('192.168.0.7', 'mcp.internal')).toBeNull();
    expect(p.refusal('192.168.0.7', 'other.internal')).not.toBeNull();
    expect(p.refusal('127.0.0.1', 'a')).not.toBeNull();
  });
  it('rejects a malformed range at configuration time', () => {
    expect(() => createOutboundPolicy(['10.0.0.0/x'])).toThrow(/CIDR/);
  });
});

describe('outbound guard', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses a loopback literal and a name that resolves to loopback, before any connection', async () => {
    const guard = createOutboundGuard(createOutboundPolicy([]));
    await expect(guard.fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow(/outbound connection to '127.0.0.1' refused: .*MCPS_OUTBOUND_ALLOW/);
    await expect(guard.fetch(`http://localhost:${port}/`)).rejects.toThrow(/outbound connection to 'localhost' refused/);
    await expect(guard.fetch(`http://[::ffff:7f00:1]:${port}/`)).rejects.toThrow(/refused/);
    await guard.close();
  });

  it('connects where allowed, to the address it checked, and does not follow redirects', async () => {
    const guard = createOutboundGuard(createOutboundPolicy(['localhost', '127.0.0.1']));
    expect(await (await guard.fetch(`http://localhost:${port}/`)).text()).toBe('ok');
    expect(await (await guard.fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    await expect(guard.fetch(`http://127.0.0.1:${port}/redirect`)).rejects.toThrow(/redirects are not followed/);
    await guard.close();
  });

  it('pins the resolution: the socket uses the address the check saw', async () => {
    // A resolver that answers a public address first, then loopback (DNS rebinding): only one answer is ever used.
    let calls = 0;
    const rebinding = ((_host: string, _opts: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) => {
      calls++;
      cb(null, [{ address: calls === 1 ? '127.0.0.1' : '93.184.216.34', family: 4 }]);
    }) as never;
    const guard = createOutboundGuard(createOutboundPolicy([]), rebinding);
    await expect(guard.fetch(`http://rebind.example:${port}/`)).rejects.toThrow(/'rebind.example' refused: 127.0.0.1/);
    expect(calls).toBe(1);
    await guard.close();
  });

  it('accepts only the schemes asked for', () => {
    const guard = createOutboundGuard(createOutboundPolicy(['*']));
    expect(() => guard.assertUrl('file:///etc/passwd', ['http:', 'https:'])).toThrow(/scheme 'file:'/);
    expect(() => guard.assertUrl('gopher://x', ['ws:', 'wss:'])).toThrow(/scheme/);
    expect(guard.assertUrl('wss://example.com/mcp', ['ws:', 'wss:']).host).toBe('example.com');
  });
});
