import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger, type StreamEntry } from 'pino';
import pinoRoll from 'pino-roll';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear in the logged object. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'new_password',
  '*.new_password',
  'current_password',
  '*.current_password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'key',
  '*.key',
  'secret',
  '*.secret',
  'value',
  '*.value',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
];

export interface LoggerOptions {
  level: string;
  /** Active file is `<dir>/<name>.<n>.log`, with `<dir>/current.log` a symlink to it. */
  logFile: string | null;
  /** Also write JSON lines to stdout. */
  stdout: boolean;
}

export interface LoggerHandle {
  logger: Logger;
  /** Adds another destination (the database sink) once it exists. */
  addStream(entry: StreamEntry): void;
  close(): Promise<void>;
}

/**
 * Log lines carry request details and errors of the MCP servers: a folder the platform creates is
 * 0700 and every file 0600 (explicit modes, not the umask, which managed child servers inherit).
 * Files of this log left wider by older versions are narrowed; an existing folder is left as it is
 * (it may be shared, such as /var/log).
 */
function makeLogDirPrivate(logFile: string): void {
  const dir = path.dirname(logFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { name, ext } = path.parse(logFile);
  // pino-roll's names: `app.log` rolls as `app.1.log`, `app.2.log`...
  const rolled = (file: string) => file.startsWith(`${name}.`) && file.endsWith(ext) && /^\d+$/.test(file.slice(name.length + 1, file.length - ext.length));
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !rolled(entry.name)) continue;
    const f = path.join(dir, entry.name);
    try {
      if (statSync(f).mode & 0o077) chmodSync(f, 0o600);
    } catch (err) {
      // Gone meanwhile, or not ours to change.
      if (!['ENOENT', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
}

/**
 * The system log: pino JSON lines to stdout and to a size/time-rotated file under LOG_DIR.
 * The database sink (system-log-sink.ts) is added after the database opens.
 */
export async function createLogger(opts: LoggerOptions): Promise<LoggerHandle> {
  const streams: StreamEntry[] = [];
  // Streams take everything the logger lets through: its level (changeable at run time, see the
  // `log.level` setting) is the one filter.
  if (opts.stdout) streams.push({ level: 'trace', stream: process.stdout });
  let file: Awaited<ReturnType<typeof pinoRoll>> | null = null;
  if (opts.logFile) {
    makeLogDirPrivate(opts.logFile);
    file = await pinoRoll({
      file: opts.logFile,
      size: '20m',
      frequency: 'daily',
      mkdir: true,
      symlink: true,
      limit: { count: 14 },
      // sonic-boom opens each file (the first and every rolled one) with this mode.
      mode: 0o600,
    });
    streams.push({ level: 'trace', stream: file });
  }
  const multi = pino.multistream(streams);
  const logger = pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    multi,
  );
  return {
    logger,
    addStream: (entry) => multi.add(entry),
    close: async () => {
      logger.flush();
      if (file) {
        const f = file;
        await new Promise<void>((resolve) => {
          f.once('close', () => resolve());
          f.end();
        });
      }
    },
  };
}
