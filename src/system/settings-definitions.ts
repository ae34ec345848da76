import { z } from 'zod';
import type { Config } from '../config.js';
import { cronProblem } from './cron-schedule.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** A CORS origin as browsers send it (`https://app.example.com:8443`, no path), or `*`. */
const origin = z
  .string()
  .trim()
  .max(300)
  .refine((o) => {
    if (o === '*') return true;
    try {
      const u = new URL(o);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
    } catch {
      return false;
    }
  }, 'expected an origin such as https://app.example.com or http://localhost:5173 (scheme, host, optional port; no path), or *');

const days = z.number().int().min(0).max(36_500);

/**
 * Every setting that can change while the platform runs: its schema (the one validation of PUT
 * /system/config and of stored rows) and its default, taken from the environment where one exists.
 * A value stored in the database overrides the default until it is reset (PUT with null).
 */
export const SETTING_SCHEMAS = {
  'log.level': z.enum(LOG_LEVELS),
  'logs.system.retention_days': days,
  'logs.operations.retention_days': days,
  'logs.mcp.retention_days': days,
  'logs.mcp.max_rows': z.number().int().min(0).max(1_000_000_000),
  'mcp.timeout_seconds': z.number().int().min(1).max(3600),
  'mcp.max_retries': z.number().int().min(0).max(100),
  'cors.origins': z.array(origin).max(100),
  'backup.schedule': z
    .string()
    .trim()
    .min(1)
    .max(100)
    .superRefine((v, ctx) => {
      const problem = cronProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .nullable(),
  'backup.keep_count': z.number().int().min(0).max(100_000),
  'backup.keep_days': days,
  'auth.local_passwords': z.boolean(),
  'capture.allowed_hosts': z.array(z.string().trim().toLowerCase().regex(/^[a-z0-9.:[\]_-]{1,300}$/, 'expected a host name or host:port')).max(1000),
} as const;

export type SettingKey = keyof typeof SETTING_SCHEMAS;
export type SettingValues = { [K in SettingKey]: z.output<(typeof SETTING_SCHEMAS)[K]> };
export const SETTING_KEYS = Object.keys(SETTING_SCHEMAS) as SettingKey[];

export const SETTING_DESCRIPTIONS: Record<SettingKey, string> = {
  'log.level': 'Lowest level written to the system log (stdout and file); applied at once.',
  'logs.system.retention_days': 'System log entries stored in the database are deleted after this many days (0 = keep).',
  'logs.operations.retention_days': 'Operation (audit) log entries are deleted after this many days (0 = keep).',
  'logs.mcp.retention_days': 'MCP protocol log entries are deleted after this many days (0 = keep).',
  'logs.mcp.max_rows': 'At most this many MCP protocol log entries are kept, the newest (0 = no limit).',
  'mcp.timeout_seconds': 'Default request timeout of a newly created managed MCP server.',
  'mcp.max_retries': 'Default retry budget of a newly created managed MCP server.',
  'cors.origins': 'Browser origins allowed to call the API cross-origin; * = any origin without credentials.',
  'backup.schedule': 'Cron expression of automatic backups (croner syntax, server time zone); null = no automatic backups.',
  'backup.keep_count': 'Automatic backups kept, the newest (0 = no limit).',
  'backup.keep_days': 'Automatic backups older than this many days are deleted (0 = keep).',
  'auth.local_passwords': 'False: the password sign-in is refused (API, console, OAuth sign-in page) and people use single sign-on; API keys keep working. Break glass: mcps user local-passwords on.',
  'capture.allowed_hosts': 'Hosts (name or name:port) dashboard captures may target besides the saved dashboards\' hosts.',
};

/** Defaults: environment values where the environment has one, else these. */
export function settingDefaults(config: Readonly<Config>): SettingValues {
  return {
    'log.level': (config.debug ? 'debug' : config.logLevel) as SettingValues['log.level'],
    'logs.system.retention_days': 30,
    'logs.operations.retention_days': 365,
    'logs.mcp.retention_days': 30,
    'logs.mcp.max_rows': 1_000_000,
    'mcp.timeout_seconds': Math.round(config.mcpTimeoutMs / 1000),
    'mcp.max_retries': config.mcpMaxRetries,
    'cors.origins': [...config.corsOrigins],
    'backup.schedule': null,
    'backup.keep_count': 7,
    'backup.keep_days': 30,
    'auth.local_passwords': true,
    'capture.allowed_hosts': [...config.capture.hosts],
  };
}

/** The environment variable a default comes from, to show its source. */
export const SETTING_ENV: Partial<Record<SettingKey, string>> = {
  'log.level': 'LOG_LEVEL',
  'mcp.timeout_seconds': 'MCP_TIMEOUT',
  'mcp.max_retries': 'MCP_MAX_RETRIES',
  'cors.origins': 'CORS_ORIGINS',
  'capture.allowed_hosts': 'MCPS_CAPTURE_HOSTS',
};
