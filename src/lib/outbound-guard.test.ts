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
  it.each([
    ['::7f00:1', '127.0.0.1'], // IPv4-compatible, as the URL parser writes [::127.0.0.1]
    ['64:ff9b::7f00:1', '127.0.0.1'], // NAT64
    ['64:ff9b::a00:1', '10.0.0.1'],
    ['2002:a00:1::1', '10.0.0.1'], // 6to4
    ['2002:c0a8:101::', '192.168.1.1'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1'], // Teredo client (inverted)
    ['2001:0:7f00:1::', '127.0.0.1'], // Teredo server
    ['::ffff:0:a00:1', '10.0.0.1'], // IPv4-translated
  ])('refuses %s, which carries %s', (ip, inner) => {
    expect(none.refusal(ip, ip)).toBe(`${ip} is a private, loopback or reserved address (it carries ${inner})`);
  });
  it.each([['fec0::1'], ['64:ff9b:1::1'], ['::808:808'], ['3fff::1'], ['5f00::1']])('refuses %s (site-local, local NAT64, IPv4-compatible, reserved)', (ip) => {
    expect(none.refusal(ip, ip)).toMatch(/private, loopback or reserved/);
  });
  it('refuses every spelling of a metadata address, even with *', () => {
    const all = createOutboundPolicy(['*']);
    for (const ip of ['::ffff:a9fe:a9fe', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1', '::a9fe:a9fe', '64:ff9b:1:a9fe:a9:fe00::', '2001:0:a9fe:a9fe::'])
      expect(all.refusal(ip, 'x'), ip).toMatch(/cloud metadata address/);
    expect(createOutboundPolicy(['169.254.169.254']).refusal('::ffff:a9fe:a9fe', 'x')).toBeNull();
    expect(createOutboundPolicy(['169.254.169.254']).refusal('64:ff9b::a9fe:a9fe', 'x')).toMatch(/metadata/);
    expect(all.nameRefusal('Metadata.Google.Internal.')).toMatch(/metadata host name/);
    expect(createOutboundPolicy(['metadata.google.internal']).nameRefusal('metadata.google.internal')).toBeNull();
  });
  it('allows public addresses reached through NAT64, 6to4 and Teredo', () => {
    for (const ip of ['64:ff9b::5db8:d822', '2002:5db8:d822::1', '2001:0:4136:e378:8000:63bf:a247:2ddd', '::ffff:93.184.216.34']) expect(none.refusal(ip, 'x'), ip).toBeNull();
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

  it('refuses control characters, metadata names and userinfo tricks before any resolution', async () => {
    const guard = createOutboundGuard(createOutboundPolicy(['*']));
    expect(() => guard.assertUrl('http://example.com\r\nHost: x/', ['http:'])).toThrow(/control characters/);
    expect(() => guard.assertUrl('http://metadata.google.internal/computeMetadata/v1/', ['http:'])).toThrow(/cloud metadata host name/);
    expect(() => guard.assertUrl('http://[::ffff:169.254.169.254]/', ['http:'])).toThrow(/cloud metadata address/);
    const strict = createOutboundGuard(createOutboundPolicy([]));
    expect(() => strict.assertUrl('http://public.example@127.0.0.1/', ['http:'])).toThrow(/user:password@/);
    expect(() => strict.assertUrl('http://127.0.0.1\\@public.example/', ['http:'])).toThrow(/'127.0.0.1' refused/);
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://017700000001/', 'http://[::127.0.0.1]/', 'http://0/'])
      expect(() => strict.assertUrl(url, ['http:']), url).toThrow(/refused/);
    await guard.close();
    await strict.close();
  });

  it('check() resolves a name and judges every address; a name that does not resolve passes', async () => {
    const answers: Record<string, string[]> = { 'private.test': ['93.184.216.34', '10.0.0.7'], 'public.test': ['93.184.216.34'] };
    const resolver = ((host: string, _o: unknown, cb: (e: NodeJS.ErrnoException | null, a: { address: string; family: number }[]) => void) => {
      const list = answers[host];
      if (!list) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
      cb(null, list.map((address) => ({ address, family: 4 })));
    }) as never;
    const guard = createOutboundGuard(createOutboundPolicy([]), resolver);
    await expect(guard.check('wss://private.test/mcp', ['ws:', 'wss:'])).rejects.toThrow(/'private.test' refused: 10.0.0.7/);
    await expect(guard.check('wss://public.test/mcp', ['ws:', 'wss:'])).resolves.toBeInstanceOf(URL);
    await expect(guard.check('wss://nowhere.test/mcp', ['ws:', 'wss:'])).resolves.toBeInstanceOf(URL);
    await guard.close();
  });

  it('a DNS server that never answers: the lookup fails with ETIMEOUT (a late answer is dropped); check() still passes the name', async () => {
    let late: (() => void) | null = null;
    const resolver = ((_host: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) => {
      late = () => cb(null, [{ address: '93.184.216.34', family: 4 }]);
    }) as never;
    const guard = createOutboundGuard(createOutboundPolicy([]), resolver, { lookupTimeoutMs: 50 });
    const calls: unknown[][] = [];
    await new Promise<void>((done) => guard.lookup('silent.test', { all: true }, (...args: unknown[]) => { calls.push(args); done(); }));
    late!();
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toMatchObject({ code: 'ETIMEOUT', message: "the DNS lookup of 'silent.test' did not answer within 0.05 s" });
    await expect(guard.check('https://silent.test/', ['https:'])).resolves.toBeInstanceOf(URL);
    await guard.close();
  });

  it('accepts only the schemes asked for', () => {
    const guard = createOutboundGuard(createOutboundPolicy(['*']));
    expect(() => guard.assertUrl('file:///etc/passwd', ['http:', 'https:'])).toThrow(/scheme 'file:'/);
    expect(() => guard.assertUrl('gopher://x', ['ws:', 'wss:'])).toThrow(/scheme/);
    expect(guard.assertUrl('wss://example.com/mcp', ['ws:', 'wss:']).host).toBe('example.com');
  });
});
