/** What the pipe writes to: the CLI's line logger or a pino child logger of the platform. */
export interface PipeLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

interface PinoLike {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A pino logger as a PipeLog, each line carrying `fields` (e.g. the publication id and redacted endpoint). */
export function pinoPipeLog(logger: PinoLike, fields: Record<string, unknown>): PipeLog {
  return {
    debug: (msg) => logger.debug(fields, msg),
    info: (msg) => logger.info(fields, msg),
    warn: (msg) => logger.warn(fields, msg),
    error: (msg) => logger.error(fields, msg),
  };
}
