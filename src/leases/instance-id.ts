import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This process's name as a lease holder: `host:pid:random`. The random part makes it unique (a
 * restarted process with a reused pid is another holder); host and pid tell an operator where it runs.
 */
export function newInstanceId(host: string = hostname()): string {
  const safeHost = host.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 63) || 'host';
  return `${safeHost}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
