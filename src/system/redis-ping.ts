import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RedisPing {
  reachable: boolean;
  latency_ms: number | null;
  error: string | null;
}

/**
 * Sends `PING` to the configured Redis (REDIS_URL, set by the operator) and waits for any reply.
 * A `-NOAUTH` reply still proves it is reachable, so no credential is ever sent.
 */
export function pingRedis(url: string, timeoutMs = 1500): Promise<RedisPing> {
  const started = performance.now();
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ reachable: false, latency_ms: null, error: 'REDIS_URL is not a valid URL' });
      return;
    }
    const port = Number(u.port || 6379);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const socket: Socket = u.protocol === 'rediss:' ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
    let done = false;
    const finish = (r: RedisPing) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => finish({ reachable: false, latency_ms: null, error: `no answer within ${timeoutMs} ms` }));
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ reachable: false, latency_ms: null, error: err.code ?? 'connection failed' }));
    socket.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      const first = d.toString('latin1', 0, 1);
      const ok = first === '+' || first === '-';
      finish({ reachable: ok, latency_ms: ok ? Math.round((performance.now() - started) * 100) / 100 : null, error: ok ? null : 'not a Redis reply' });
    });
  });
}
