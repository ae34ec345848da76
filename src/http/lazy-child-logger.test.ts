import Fastify, { type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyChildLogger } from './lazy-child-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info', redact: ['secret'] }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { lines, logger };
}

describe('lazyChildLogger', () => {
  it('makes the pino child only when something is logged at an enabled level', () => {
    const { lines, logger } = capture();
    const child = vi.spyOn(logger, 'child');
    const log = lazyChildLogger(logger, { reqId: 'r-1' }, {});
    log.debug('below the level');
    log.trace({ a: 1 }, 'below too');
    expect(log.level).toBe('info');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);

    log.warn({ secret: 's3cret', n: 1 }, 'loud');
    log.error('again');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toMatchObject([
      { level: 40, msg: 'loud', n: 1, secret: '[Redacted]', reqId: 'r-1' },
      { level: 50, msg: 'again', reqId: 'r-1' },
    ]);
  });

  it('a route with its own log level gets a real child at once', () => {
    const { logger } = capture();
    const log = lazyChildLogger(logger, { reqId: 'r-2' }, { level: 'debug' });
    expect(log.level).toBe('debug');
  });

  it('as Fastify\'s factory: request logs carry the request id, nested children their bindings', async () => {
    const { lines, logger } = capture();
    const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, disableRequestLogging: true, childLoggerFactory: lazyChildLogger });
    app.get('/quiet', async (req) => {
      req.log.debug('below the level');
      return {};
    });
    app.get('/loud', async (req) => {
      req.log.warn('loud');
      req.log.child({ part: 'inner' }).info('nested');
      return {};
    });
    await app.inject({ url: '/quiet' });
    expect(lines).toEqual([]);
    await app.inject({ url: '/loud' });
    expect(lines).toMatchObject([{ msg: 'loud' }, { msg: 'nested', part: 'inner' }]);
    expect(lines[0]!['reqId']).toBeTypeOf('string');
    expect(lines[1]!['reqId']).toBe(lines[0]!['reqId']);
    await app.close();
  });
});
