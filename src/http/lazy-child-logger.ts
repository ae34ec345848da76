import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Fastify's `childLoggerFactory`: the request's logger (`request.log`, bound to the request id) is
 * made when the request first logs at an enabled level, not for every request. A pino child
 * (bindings serialised, redaction paths applied) was about 1.5 % of a small API request's CPU, and
 * most requests never log. What is logged, and with which bindings, is unchanged.
 */
export function lazyChildLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // A route with its own log level or serializers: a real child at once (rare, and levels differ).
  if (options.level !== undefined || options.serializers !== undefined || !isPino(parent)) return parent.child(bindings, options);
  return new LazyChild(parent, bindings) as unknown as FastifyBaseLogger;
}

function isPino(logger: FastifyBaseLogger): logger is FastifyBaseLogger & Pick<Logger, 'isLevelEnabled'> {
  return typeof (logger as Partial<Logger>).isLevelEnabled === 'function';
}

class LazyChild {
  #child: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: FastifyBaseLogger & Pick<Logger, 'isLevelEnabled'>,
    private readonly bindings: Bindings,
  ) {}

  get level(): string {
    return this.#child?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.real().level = level;
  }
  fatal(...args: unknown[]): void {
    this.log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.log('error', args);
  }
  warn(...args: unknown[]): void {
    this.log('warn', args);
  }
  info(...args: unknown[]): void {
    this.log('info', args);
  }
  debug(...args: unknown[]): void {
    this.log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.log('trace', args);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }

  private log(level: Level, args: unknown[]): void {
    // The child has the parent's level until someone sets its own.
    if (this.#child === undefined && !this.parent.isLevelEnabled(level)) return;
    (this.real()[level] as (...a: unknown[]) => void)(...args);
  }

  private real(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings);
    return this.#child;
  }
}
