import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * The SSRF corpus: hostile URLs in every spelling the outbound guard must refuse, a loopback canary
 * (HTTP + WebSocket) that counts the connections that reach it, and a tripwire that stops (and
 * records) any socket aimed at an address outside loopback, so a gap in the guard can never send
 * traffic off this machine while the corpus runs.
 */

/** Every spelling aims at the canary's port `p` where the address could reach it. */
export function hostileUrls(p: number): string[] {
  const loopback = [
    `http://127.0.0.1:${p}/mcp`, `http://127.1:${p}/`, `http://127.0.1.3:${p}/`, `http://0x7f.1:${p}/`, `http://0x7f000001:${p}/`,
    `http://2130706433:${p}/`, `http://017700000001:${p}/`, `http://0177.0.0.1:${p}/`, `http://127.0.0.1.:${p}/`, `http://%31%32%37.0.0.1:${p}/`,
    `http://127\u30020\u30020\u30021:${p}/`, `http://0:${p}/`, `http://0.0.0.0:${p}/`, `http://localhost:${p}/`, `http://LocalHost:${p}/`,
    `http://[::1]:${p}/`, `http://[0:0:0:0:0:0:0:1]:${p}/`, `http://[::ffff:127.0.0.1]:${p}/`, `http://[::ffff:7f00:1]:${p}/`,
    `http://[0:0:0:0:0:ffff:127.0.0.1]:${p}/`, `http://[::127.0.0.1]:${p}/`, `http://[::]:${p}/`, `http://[::ffff:0:127.0.0.1]:${p}/`,
    `http://[64:ff9b::127.0.0.1]:${p}/`, `http://[64:ff9b::7f00:1]:${p}/`, `http://[64:ff9b:1::7f00:1]:${p}/`, `http://[64:ff9b:1:7f00:1::]:${p}/`,
    `http://[2002:7f00:1::1]:${p}/`, `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${p}/`, `http://[2001:0:7f00:1::1]:${p}/`,
  ];
  const privateSpace = [
    `http://10.0.0.1:${p}/`, `http://10.255.255.254:${p}/`, `http://172.16.0.1:${p}/`, `http://172.31.255.255:${p}/`, `http://192.168.0.1:${p}/`,
    `http://192.168.1.1:${p}/`, `http://[::ffff:10.0.0.1]:${p}/`, `http://[::ffff:192.168.1.1]:${p}/`, `http://[2002:c0a8:101::1]:${p}/`,
    `http://[2002:a00:1::]:${p}/`, `http://[64:ff9b::10.0.0.1]:${p}/`, `http://[2001:0:4136:e378:8000:63bf:3f57:fefe]:${p}/`,
    `http://169.254.0.1:${p}/`, `http://[fe80::1]:${p}/`, `http://100.64.0.1:${p}/`, `http://100.127.255.254:${p}/`, `http://[::ffff:100.64.0.1]:${p}/`,
    `http://[fc00::1]:${p}/`, `http://[fd12:3456::1]:${p}/`, `http://[fec0::1]:${p}/`, `http://224.0.0.1:${p}/`, `http://255.255.255.255:${p}/`,
    `http://240.0.0.1:${p}/`, `http://[ff02::1]:${p}/`, `http://192.0.0.1:${p}/`, `http://[::ffff:0:a00:1]:${p}/`,
  ];
  return [
    ...loopback,
    ...privateSpace,
    ...metadataUrls(),
    // userinfo and delimiter tricks: the host is what the URL parser says it is
    `http://public.example@127.0.0.1:${p}/`, `http://user:pass@localhost:${p}/`, `http://127.0.0.1:${p}\\@public.example/`,
    `http://public.example:80@[::1]:${p}/`, `http://127.0.0.1:${p}#@public.example/`, `http://127.0.0.1:${p}?@public.example/`,
    // CR/LF and other control characters
    `http://public.example\r\n@127.0.0.1:${p}/`, `http://127.0.0.1:${p}/\r\nHost: public.example`, `http://loc\nalhost:${p}/`, `http://127.0.0.1:${p}/\tx`,
    // other schemes
    'file:///etc/passwd', `gopher://127.0.0.1:${p}/_GET%20/`, 'data:text/plain,hello', `ftp://127.0.0.1:${p}/`, `dict://127.0.0.1:${p}/`, 'javascript:alert(1)',
  ];
}

/** Cloud metadata in every spelling: refused even with MCPS_OUTBOUND_ALLOW=*. */
export function metadataUrls(): string[] {
  return [
    'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/', 'http://[::ffff:a9fe:a9fe]/', 'http://[64:ff9b::169.254.169.254]/',
    'http://[2002:a9fe:a9fe::]/', 'http://[::169.254.169.254]/', 'http://0xa9fea9fe/', 'http://2852039166/', 'http://169.254.170.2/v2/credentials',
    'http://100.100.100.200/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://metadata/',
    'http://instance-data/latest/',
  ];
}

export interface Canary {
  port: number;
  connections(): number;
  close(): Promise<void>;
}

/** An HTTP + WebSocket server on 127.0.0.1 and [::1] (same port) that counts every connection. */
export async function startCanary(): Promise<Canary> {
  let count = 0;
  const servers: Server[] = [];
  const listen = (host: string, port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer((_req, res) => res.end('canary'));
      new WebSocketServer({ server });
      server.on('connection', () => void count++);
      server.once('error', reject).listen(port, host, () => resolve(server));
    });
  servers.push(await listen('127.0.0.1', 0));
  const port = (servers[0]!.address() as AddressInfo).port;
  servers.push(await listen('::1', port));
  return {
    port,
    connections: () => count,
    close: () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
  };
}

/**
 * Patches `net.Socket#connect` so that a socket aimed at an IP literal outside loopback is destroyed
 * before it connects, and recorded. Host names are resolved by the guard's own lookup, whose answers
 * in this file are loopback only. Returns the records and the undo.
 */
export function armTripwire(): { hits: string[]; disarm(): void } {
  const hits: string[] = [];
  const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => net.Socket };
  const real = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const host = typeof first === 'object' && first !== null ? (first as { host?: string }).host : typeof args[1] === 'string' ? args[1] : undefined;
    const bare = host?.replace(/^\[|\]$/g, '');
    if (bare && net.isIP(bare) && !/^(127\.|::1$)/.test(bare)) {
      hits.push(bare);
      process.nextTick(() => this.destroy(new Error(`tripwire: a connection to ${bare} was attempted`)));
      return this;
    }
    return real.apply(this, args);
  };
  return { hits, disarm: () => void (proto.connect = real) };
}
