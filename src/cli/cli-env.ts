import { userInfo } from 'node:os';
import { type Config, loadConfig } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { createLogger } from '../logs/logger.js';
import type { AuditEntry } from '../logs/audit-log.js';

/** What CLI commands share: the config (loaded on first use), output, and an audited context. */
export interface CliEnv {
  config(): Readonly<Config>;
  /**
   * Marks the command as one that reads an existing install (call before config()): a missing SQLite
   * database is an error naming the path, not a fresh empty install, and no key file is generated.
   */
  existingInstallOnly(): void;
  out(line: string): void;
  /** How CLI actions appear in the operation log: `cli:<os user>`. */
  actor: string;
  /** Opens the platform context quietly (log lines go to the log file only); migrates unless told not to. */
  withContext<T>(fn: (ctx: AppContext) => Promise<T>, options?: { migrate?: boolean }): Promise<T>;
  /** Records a CLI action in the operation log, as `cli:<os user>`, in a context of its own. */
  audit(action: string, target: AuditEntry['target'], details?: Record<string, unknown>): Promise<void>;
  /** The same, in a context already open (no second context just for the row). */
  auditIn(ctx: AppContext, action: string, target: AuditEntry['target'], details?: Record<string, unknown>): Promise<void>;
}

export function createCliEnv(): CliEnv {
  let config: Readonly<Config> | undefined;
  let existingInstall = false;
  const cfg = () => (config ??= loadConfig(process.env, { existingInstall }));
  const actor = (() => {
    try {
      return `cli:${userInfo().username}`;
    } catch {
      return 'cli';
    }
  })();

  const env: CliEnv = {
    config: cfg,
    existingInstallOnly: () => {
      existingInstall = true;
    },
    out: (line) => process.stdout.write(line + '\n'),
    actor,
    async withContext(fn, options) {
      const c = cfg();
      const logger = await createLogger({ level: c.logLevel, logFile: c.logFile, stdout: false });
      const ctx = await createContext(c, { logger, migrate: options?.migrate ?? true });
      try {
        return await fn(ctx);
      } finally {
        await ctx.close();
        await logger.close();
      }
    },
    async audit(action, target, details) {
      // Never migrates: `db rollback` must stay rolled back. Without the table the row is skipped.
      await env.withContext((ctx) => env.auditIn(ctx, action, target, details), { migrate: false });
    },
    auditIn(ctx, action, target, details) {
      return ctx.audit.record({ actor: { type: 'cli', name: actor }, action, target, outcome: 'success', ...(details ? { details } : {}) });
    },
  };
  return env;
}
