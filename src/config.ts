import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { isScheduleOrOff } from './system/cron-schedule.js';
import { readOrCreateKeyFile } from './lib/key-file.js';
import { createOutboundPolicy } from './lib/outbound-policy.js';
import { maskSettingValue } from './lib/credential-mask.js';
import {
  DEVELOPMENT_MASTER_KEY_FILE,
  MasterKeyConfigError,
  type MasterKeyRing,
  resolveMasterKeyRing,
  SINGLE_MASTER_KEY_VERSION,
} from './secrets/master-keys.js';

/**
 * The only module that reads process.env. Everything else receives a frozen, typed Config.
 * Names and meanings follow the MCPS.ONE backend seed; MCPS_* variables are this project's additions.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Values shipped in examples and docs; a production SECRET_KEY equal to one of these is refused. */
const EXAMPLE_SECRET_KEYS = new Set([
  'your-secret-key-here',
  'change-me',
  'changeme',
  'secret',
  'replace-with-a-long-random-string-of-at-least-32-characters',
]);
const MIN_SECRET_KEY_LENGTH = 32;

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A list given either as a JSON array (the seed's form) or comma separated. */
const list = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === '') return [];
    if (v.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(v);
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed.map((x) => x.trim());
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'expected a JSON array of strings or a comma-separated list' });
      return z.NEVER;
    }
    return v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  });

const str = z.string().trim();

/** Timings of `mcps pipe` and of platform publications (src/pipe/); shared by both config readers. */
const pipeTimingSchema = z.object({
  MCPS_PIPE_BACKOFF_BASE_MS: int(10, 3_600_000).default(1000),
  MCPS_PIPE_BACKOFF_MAX_MS: int(10, 86_400_000).default(60_000),
  MCPS_PIPE_STABLE_MS: int(100, 86_400_000).default(30_000),
  MCPS_PIPE_PING_INTERVAL_MS: int(100, 3_600_000).default(20_000),
  MCPS_PIPE_PONG_TIMEOUT_MS: int(100, 3_600_000).default(10_000),
});

// OAuth 2.1 for the gateway (src/auth/oauth/, docs/AUTH.md).
const oauthSchema = z.object({
  // The platform's address as clients reach it (scheme, host, port, no path): the issuer and the
  // resource identifiers derive from it. Unset: http://HOST:PORT (localhost for 0.0.0.0).
  MCPS_PUBLIC_URL: str.regex(/^https?:\/\/[^/?#\s]+$/, 'expected http(s)://host[:port] with no path').optional(),
  MCPS_OAUTH_SERVER: bool.default(true),
  MCPS_OAUTH_ACCESS_TOKEN_MINUTES: int(1, 24 * 60).default(10),
  MCPS_OAUTH_REFRESH_TOKEN_DAYS: int(1, 365).default(14),
  MCPS_OAUTH_DELEGATE_ISSUER: str.regex(/^https?:\/\//, 'expected an http(s) URL').optional(),
  MCPS_OAUTH_DELEGATE_JWKS_URL: str.regex(/^https?:\/\//, 'expected an http(s) URL').optional(),
  MCPS_OAUTH_DELEGATE_AUDIENCE: str.optional(),
  MCPS_OAUTH_DELEGATE_USERNAME_CLAIM: str.min(1).default('preferred_username'),
  MCPS_OAUTH_DELEGATE_ROLES_CLAIM: str.min(1).default('roles'),
  // value=role pairs: MCPS_OAUTH_DELEGATE_ROLE_MAP=mcps-admins=admin,mcps-ops=operator
  MCPS_OAUTH_DELEGATE_ROLE_MAP: list
    .refine((entries) => entries.every((e) => /^[^=]+=(admin|operator|viewer)$/.test(e)), 'expected claim-value=admin|operator|viewer pairs')
    .default([]),
  MCPS_OAUTH_DELEGATE_CREATE_USERS: bool.default(false),
});

const envSchema = z.object({
  PROJECT_NAME: str.default('MCPS.ONE'),
  ENVIRONMENT: str.toLowerCase().pipe(z.enum(['development', 'test', 'staging', 'production'])).default('development'),
  DEBUG: bool.default(false),
  HOST: str.min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8000),
  API_V1_STR: str.regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, 'expected a path such as /api/v1').default('/api/v1'),
  // Unset: the SQLite file DATA_DIR/mcps.db.
  DATABASE_URL: str.regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'expected sqlite:///path, postgres:// or postgresql://').optional(),
  SECRET_KEY: str.optional(),
  ACCESS_TOKEN_EXPIRE_MINUTES: int(1, 60 * 24 * 30).default(30),
  CORS_ORIGINS: list.default([]),
  ALLOWED_HOSTS: list.default(['localhost', '127.0.0.1', '[::1]']),
  LOG_LEVEL: str
    .toLowerCase()
    .pipe(z.enum(['fatal', 'error', 'warn', 'warning', 'info', 'debug', 'trace', 'critical']))
    .transform((v) => ({ warning: 'warn', critical: 'fatal' })[v as 'warning' | 'critical'] ?? v)
    .default('info'),
  LOG_DIR: str.default('./logs'),
  LOG_FILE: str.optional(),
  DATA_DIR: str.default('./data'),
  BACKUP_DIR: str.optional(),
  LOG_ROOTS: str.optional(),
  BACKUP_SCHEDULE: str.refine(isScheduleOrOff, 'expected a 5- or 6-field cron expression (e.g. "0 3 * * *") or "off"').default('0 3 * * *'),
  BACKUP_KEEP_COUNT: int(0, 100_000).default(7),
  BACKUP_KEEP_DAYS: int(0, 36_500).default(30),
  BACKUP_MAX_UPLOAD_MB: int(1, 1024 * 1024).default(1024),
  BACKUP_MAX_EXPANDED_MB: int(1, 16 * 1024 * 1024).default(16 * 1024),
  DOWNLOADS_MAX_GB: z.coerce.number().positive().max(1024 * 1024).default(10),
  MCP_TIMEOUT: int(1, 3600).default(30),
  MCP_MAX_RETRIES: int(0, 100).default(3),
  REDIS_URL: str.regex(/^rediss?:\/\//, 'expected redis:// or rediss://').optional(),
  MCPS_JOBS_LEASE_MS: int(500, 3_600_000).default(30_000),
  MCPS_JOBS_POLL_MS: int(20, 60_000).default(500),
  MCPS_JOBS_CONCURRENCY: int(1, 256).default(8),
  MONITORS_MAX: int(1, 100_000).default(2000),
  MONITOR_RAW_RETENTION_HOURS: int(1, 168).default(2),
  MONITOR_DISK_MIN_FREE_PERCENT: int(0, 99).default(5),
  MONITOR_BACKUP_MAX_AGE_HOURS: int(1, 8760).default(48),
  MCPS_JOBS_QUEUE_PREFIX: str.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)').default('mcps-jobs'),
  MCPS_ADMIN_USERNAME: str.regex(/^[A-Za-z0-9_.-]{3,64}$/, 'expected 3-64 letters, digits, _ . -').default('admin'),
  MCPS_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  MCPS_BODY_LIMIT: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  MCPS_LOGIN_MAX_PER_MINUTE: int(1, 10000).default(10),
  MCPS_LOGIN_MAX_FAILURES: int(1, 10000).default(5),
  MCPS_TRUST_PROXY: bool.default(false),
  // Raw: key text must not be trimmed or lower-cased here; master-keys.ts parses and validates it.
  MCPS_MASTER_KEY: z.string().optional(),
  MCPS_MASTER_KEYS: z.string().optional(),
  MCPS_SECRET_MAX_VERSIONS: int(1, 1000).default(10),
  MCPS_SECRET_OVERLAP_HOURS: int(0, 24 * 365).default(24),
  // Raw like the master keys: a scrape token is compared byte for byte.
  MCPS_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  MCPS_METRICS_INTERVAL_SECONDS: int(1, 3600).default(5),
  MCPS_METRICS_WINDOW_MINUTES: int(5, 7 * 24 * 60).default(24 * 60),
  ...pipeTimingSchema.shape,
  // Instances sharing one database: how long a publication's lease lasts unrenewed (renewed every third).
  MCPS_PUBLICATION_LEASE_TTL_MS: int(300, 600_000).default(15_000),
  // The same for the alert routing and the notification delivery worker (one instance runs them).
  MCPS_ALERTS_LEASE_TTL_MS: int(300, 600_000).default(15_000),
  // The same for the managed servers of placement 'one' (one instance runs them, the others forward to it).
  MCPS_SERVERS_LEASE_TTL_MS: int(300, 600_000).default(15_000),
  // The URL the other instances forward requests to (default: this instance's listen address; set it
  // when instances run on several hosts).
  MCPS_INTERNAL_URL: z.url({ protocol: /^https?$/ }).optional(),
  // The same for the monitors' scheduler (one instance runs the checks).
  MCPS_MONITORS_LEASE_TTL_MS: int(300, 600_000).default(15_000),
  // Hosts, addresses or CIDR ranges in private / loopback / reserved space that remote MCP servers and
  // publication endpoints may use; `*` allows all of them (cloud metadata addresses only by exact address).
  MCPS_OUTBOUND_ALLOW: list
    .superRefine((entries, ctx) => {
      const bad = entries.find((e) => !/^[A-Za-z0-9.:*[\]/_-]+$/.test(e));
      if (bad !== undefined) return ctx.addIssue({ code: 'custom', message: 'expected host names, IP addresses, CIDR ranges or *' });
      try {
        createOutboundPolicy(entries);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .default([]),
  // Dashboard capture (src/capture): the system Chromium, the warm browser pool, retention of screenshots.
  CHROMIUM_PATH: str.default('/usr/bin/chromium'),
  MCPS_CAPTURE_BROWSERS: int(1, 32).default(2),
  MCPS_CAPTURE_RECYCLE_AFTER: int(1, 100_000).default(50),
  MCPS_CAPTURE_IDLE_SECONDS: int(0, 86_400).default(300),
  MCPS_CAPTURE_TIMEOUT_SECONDS: int(1, 600).default(30),
  MCPS_CAPTURE_KEEP_COUNT: int(0, 1_000_000).default(500),
  MCPS_CAPTURE_KEEP_DAYS: int(0, 36_500).default(30),
  // Hosts (name or name:port) any capture may target besides the saved dashboards' hosts (the default of
  // the `capture.allowed_hosts` runtime setting, which admins change).
  MCPS_CAPTURE_HOSTS: list
    .refine((entries) => entries.every((e) => /^[A-Za-z0-9.:[\]_-]+$/.test(e)), 'expected host names or host:port')
    .default([]),
  MCPS_GATEWAY_SEPARATOR: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,4}$/, 'expected 1-4 of A-Z a-z 0-9 _ . - (tool names allow only these)')
    .default('__'),
  MCPS_GATEWAY_SESSION_IDLE_MINUTES: int(1, 60 * 24 * 7).default(30),
  MCPS_GATEWAY_MAX_SESSIONS: int(1, 100_000).default(1000),
  // Per-session upstream connections (servers in session mode per_session) open at most per server.
  MCPS_GATEWAY_SESSION_POOL: int(1, 10_000).default(32),
  ...oauthSchema.shape,
});

type Env = z.infer<typeof envSchema>;

export interface Config {
  projectName: string;
  environment: Env['ENVIRONMENT'];
  debug: boolean;
  host: string;
  port: number;
  apiPrefix: string;
  databaseUrl: string;
  secretKey: string;
  /** Where the secret key came from: the environment, or the file generated in DATA_DIR. */
  secretKeySource: 'env' | 'file';
  accessTokenExpireMinutes: number;
  corsOrigins: readonly string[];
  allowedHosts: readonly string[];
  logLevel: string;
  logDir: string;
  logFile: string;
  dataDir: string;
  backupDir: string;
  /** Folders the log analyzer may read (LOG_ROOTS, comma-separated; default DATA_DIR/downloads). */
  logRoots: readonly string[];
  /** Where analyzer reports are written (DATA_DIR/exports). */
  exportDir: string;
  /** Cron expression of automatic backups, or null when off (BACKUP_SCHEDULE=off). */
  backupSchedule: string | null;
  /** Automatic and safety backups kept (newest first) and their largest age in days; 0 = no limit. */
  backupKeepCount: number;
  backupKeepDays: number;
  /** Largest accepted upload, and largest uncompressed size of any backup read (bomb guard), in bytes. */
  backupMaxUploadBytes: number;
  backupMaxExpandedBytes: number;
  /** Disk budget of DATA_DIR/downloads (DOWNLOADS_MAX_GB); the oldest files are evicted past it. */
  downloadsMaxBytes: number;
  mcpTimeoutMs: number;
  mcpMaxRetries: number;
  redisUrl: string | undefined;
  /**
   * Batch jobs: how long a claimed item stays with its instance unrenewed, how often work is looked
   * for, items this instance runs at once (all batches), the BullMQ key prefix (with REDIS_URL).
   */
  jobs: { leaseMs: number; pollMs: number; concurrency: number; queuePrefix: string };
  /**
   * Monitors: how many may exist, how long raw results are kept before only rollups remain, and the
   * platform's own health thresholds (free disk in DATA_DIR, age of the newest backup).
   */
  monitors: { max: number; rawRetentionHours: number; diskMinFreePercent: number; backupMaxAgeHours: number; leaseTtlMs: number };
  adminUsername: string;
  adminPassword: string | undefined;
  bodyLimit: number;
  loginMaxPerMinute: number;
  loginMaxFailures: number;
  trustProxy: boolean;
  /** Master keys that wrap secret data keys (MCPS_MASTER_KEYS, MCPS_MASTER_KEY or DATA_DIR/master_key). */
  masterKeyRing: MasterKeyRing;
  /** Versions kept per secret unless the secret sets its own limit. */
  secretMaxVersions: number;
  /** How long a rotated-out version stays readable, in milliseconds. */
  secretOverlapMs: number;
  /** Bearer token a Prometheus scraper may use on /metrics (besides an API key with system:read). */
  metricsToken: string | undefined;
  /** How often host and managed-server metrics are sampled, and how long the series are kept. */
  metricsIntervalMs: number;
  metricsWindowMs: number;
  /** Every variable of the schema: its parsed value, secrets and URL credentials masked, and where it came from. */
  settingSources: Readonly<Record<string, { value: unknown; source: SettingSource }>>;
  /** Reconnect pacing and keep-alive of WebSocket pipes (MCPS_PIPE_*). */
  pipe: PipeTiming;
  /**
   * Instances sharing the database run each publication once: the one holding its lease, renewed every
   * third of this; the others take over within about this long after the holder dies.
   */
  publicationLeaseTtlMs: number;
  /** Instances sharing the database: one of them (the lease holder) routes alerts and delivers notifications. */
  alertsLeaseTtlMs: number;
  /** Instances sharing the database: the holder of this lease runs the servers of placement 'one'; a standby takes over within about this long. */
  serversLeaseTtlMs: number;
  /** The URL other instances forward requests to; null: this instance's listen address. */
  internalUrl: string | null;
  /** Private / loopback / reserved destinations outbound connections may use (MCPS_OUTBOUND_ALLOW). */
  outboundAllow: readonly string[];
  /** The MCP gateway: name separator, idle session timeout, session limit. */
  gateway: { separator: string; sessionIdleMs: number; maxSessions: number };
  /** The platform's external base URL (no trailing slash). */
  publicUrl: string;
  oauth: OAuthConfig;
  /** Dashboard capture: Chromium, the browser pool, the page timeout, screenshot retention, extra allowed hosts. */
  capture: CaptureConfig;
}

export interface CaptureConfig {
  /** The system Chromium playwright-core drives (CHROMIUM_PATH); never downloaded. */
  chromiumPath: string;
  /** Browsers kept warm at most (captures beyond wait for one). */
  browsers: number;
  /** A browser is replaced after this many captures. */
  recycleAfter: number;
  /** Idle browsers are closed after this long (0: kept until shutdown). */
  idleMs: number;
  /** Default time a page has to finish loading and settle. */
  timeoutMs: number;
  keepCount: number;
  keepDays: number;
  hosts: readonly string[];
}

export interface PipeTiming {
  /** First reconnect delay; doubles per failed attempt (with jitter) up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A connection (or server process) up this long resets the backoff. */
  stableMs: number;
  /** WebSocket ping every this often; no pong within `pongTimeoutMs` drops the connection. */
  pingIntervalMs: number;
  pongTimeoutMs: number;
}

/** What `mcps pipe` reads: it needs no database, no keys, no data directory. */
export interface PipeConfig {
  /** MCP_ENDPOINT: the WebSocket endpoint (with its token), or undefined. */
  endpoint: string | undefined;
  /** MCP_CONFIG: path of the mcpServers JSON, or undefined (then ./mcp_config.json). */
  configFile: string | undefined;
  logLevel: string;
  timing: PipeTiming;
  /** The environment the pipe runs in: stdio servers inherit it, as with mcp_pipe.py. */
  inheritedEnv: Record<string, string>;
}

/** `env`: the process environment; `file`: the .env file; `default`: neither set it. */
export type SettingSource = 'env' | 'file' | 'default';

export interface LoadConfigOptions {
  /** Path of the .env file; values already in the environment win. Default: the install folder's .env */
  envFile?: string | false;
  /** Working directory; MCPS_HOME resolves against it. Default: process.cwd(). */
  cwd?: string;
  /**
   * For commands that read an existing install: create no file, and fail with ConfigError when the SQLite
   * database or a needed key file is missing (a fresh one would hold nothing, or keys that open nothing).
   */
  existingInstall?: boolean;
}

/** The default SQLite file, inside DATA_DIR. */
export const DEFAULT_DATABASE_FILE = 'mcps.db';

/**
 * The install folder: MCPS_HOME (read from the environment only, since the .env is found through it), or
 * the working directory. Its .env is read, and relative paths (DATA_DIR, sqlite files, ...) resolve
 * against it, so commands started from anywhere (as Claude Desktop starts `mcps log-service`) find the same install.
 */
export function installDir(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string {
  const home = env['MCPS_HOME']?.trim();
  if (!home) return cwd;
  const dir = path.resolve(cwd, home);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`Invalid configuration: MCPS_HOME: no such folder: ${dir}`);
  return dir;
}

/** Reads, validates and freezes the configuration. Throws ConfigError with one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Readonly<Config> {
  const cwd = installDir(env, options.cwd);
  const fileVars = readEnvFile(options.envFile === undefined ? path.join(cwd, '.env') : options.envFile);
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...fileVars, ...env })) {
    if (v !== undefined && k in envSchema.shape) merged[k] = v;
  }
  // An empty value means "unset", as with most dotenv readers.
  for (const [k, v] of Object.entries(merged)) if (v.trim() === '') delete merged[k];

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    throw new ConfigError(`Invalid configuration: ${name}: ${issue.message}`);
  }
  const e = parsed.data;
  const settingSources: Record<string, { value: unknown; source: SettingSource }> = {};
  for (const name of Object.keys(envSchema.shape)) {
    const source: SettingSource = !(name in merged) ? 'default' : env[name] !== undefined && env[name]!.trim() !== '' ? 'env' : 'file';
    // Masked here, so the config object never holds a second clear copy of a secret.
    settingSources[name] = Object.freeze({ value: maskSettingValue(name, e[name as keyof Env]), source });
  }
  const abs = (p: string) => path.resolve(cwd, p);
  const dataDir = abs(e.DATA_DIR);
  const logDir = abs(e.LOG_DIR);
  const databaseUrl = e.DATABASE_URL ? resolveSqliteUrl(e.DATABASE_URL, cwd) : `sqlite:///${path.join(dataDir, DEFAULT_DATABASE_FILE)}`;
  if (!e.DATABASE_URL) settingSources['DATABASE_URL'] = Object.freeze({ value: databaseUrl, source: 'default' as const });
  if (options.existingInstall) requireExistingDatabase(databaseUrl);

  const { secretKey, secretKeySource } = resolveSecretKey(e.SECRET_KEY, e.ENVIRONMENT, dataDir, !options.existingInstall);
  const masterKeyRing = resolveMasterKeys(e, dataDir, !options.existingInstall);

  return Object.freeze({
    projectName: e.PROJECT_NAME,
    environment: e.ENVIRONMENT,
    debug: e.DEBUG,
    host: e.HOST,
    port: e.PORT,
    apiPrefix: e.API_V1_STR,
    databaseUrl,
    secretKey,
    secretKeySource,
    accessTokenExpireMinutes: e.ACCESS_TOKEN_EXPIRE_MINUTES,
    corsOrigins: Object.freeze([...e.CORS_ORIGINS]),
    allowedHosts: Object.freeze(e.ALLOWED_HOSTS.map((h) => h.toLowerCase())),
    logLevel: e.LOG_LEVEL,
    logDir,
    logFile: e.LOG_FILE ? abs(e.LOG_FILE) : path.join(logDir, 'app.log'),
    dataDir,
    backupDir: e.BACKUP_DIR ? abs(e.BACKUP_DIR) : path.join(dataDir, 'backups'),
    logRoots: Object.freeze(e.LOG_ROOTS ? e.LOG_ROOTS.split(',').map((r) => r.trim()).filter(Boolean).map(abs) : [path.join(dataDir, 'downloads')]),
    exportDir: path.join(dataDir, 'exports'),
    backupSchedule: e.BACKUP_SCHEDULE.toLowerCase() === 'off' ? null : e.BACKUP_SCHEDULE,
    backupKeepCount: e.BACKUP_KEEP_COUNT,
    backupKeepDays: e.BACKUP_KEEP_DAYS,
    backupMaxUploadBytes: e.BACKUP_MAX_UPLOAD_MB * 1024 * 1024,
    backupMaxExpandedBytes: e.BACKUP_MAX_EXPANDED_MB * 1024 * 1024,
    downloadsMaxBytes: Math.floor(e.DOWNLOADS_MAX_GB * 1024 ** 3),
    mcpTimeoutMs: e.MCP_TIMEOUT * 1000,
    mcpMaxRetries: e.MCP_MAX_RETRIES,
    redisUrl: e.REDIS_URL,
    monitors: Object.freeze({ max: e.MONITORS_MAX, rawRetentionHours: e.MONITOR_RAW_RETENTION_HOURS, diskMinFreePercent: e.MONITOR_DISK_MIN_FREE_PERCENT, backupMaxAgeHours: e.MONITOR_BACKUP_MAX_AGE_HOURS, leaseTtlMs: e.MCPS_MONITORS_LEASE_TTL_MS }),
    jobs: Object.freeze({ leaseMs: e.MCPS_JOBS_LEASE_MS, pollMs: e.MCPS_JOBS_POLL_MS, concurrency: e.MCPS_JOBS_CONCURRENCY, queuePrefix: e.MCPS_JOBS_QUEUE_PREFIX }),
    adminUsername: e.MCPS_ADMIN_USERNAME,
    adminPassword: e.MCPS_ADMIN_PASSWORD,
    bodyLimit: e.MCPS_BODY_LIMIT,
    loginMaxPerMinute: e.MCPS_LOGIN_MAX_PER_MINUTE,
    loginMaxFailures: e.MCPS_LOGIN_MAX_FAILURES,
    trustProxy: e.MCPS_TRUST_PROXY,
    masterKeyRing,
    secretMaxVersions: e.MCPS_SECRET_MAX_VERSIONS,
    secretOverlapMs: e.MCPS_SECRET_OVERLAP_HOURS * 60 * 60 * 1000,
    metricsToken: e.MCPS_METRICS_TOKEN,
    metricsIntervalMs: e.MCPS_METRICS_INTERVAL_SECONDS * 1000,
    metricsWindowMs: e.MCPS_METRICS_WINDOW_MINUTES * 60 * 1000,
    settingSources: Object.freeze(settingSources),
    pipe: pipeTimingOf(e),
    publicationLeaseTtlMs: e.MCPS_PUBLICATION_LEASE_TTL_MS,
    alertsLeaseTtlMs: e.MCPS_ALERTS_LEASE_TTL_MS,
    serversLeaseTtlMs: e.MCPS_SERVERS_LEASE_TTL_MS,
    internalUrl: e.MCPS_INTERNAL_URL ?? null,
    outboundAllow: Object.freeze([...e.MCPS_OUTBOUND_ALLOW]),
    capture: Object.freeze({
      chromiumPath: abs(e.CHROMIUM_PATH),
      browsers: e.MCPS_CAPTURE_BROWSERS,
      recycleAfter: e.MCPS_CAPTURE_RECYCLE_AFTER,
      idleMs: e.MCPS_CAPTURE_IDLE_SECONDS * 1000,
      timeoutMs: e.MCPS_CAPTURE_TIMEOUT_SECONDS * 1000,
      keepCount: e.MCPS_CAPTURE_KEEP_COUNT,
      keepDays: e.MCPS_CAPTURE_KEEP_DAYS,
      hosts: Object.freeze([...e.MCPS_CAPTURE_HOSTS]),
    }),
    publicUrl: publicUrlOf(e),
    oauth: oauthConfigOf(e),
    gateway: Object.freeze({
      separator: e.MCPS_GATEWAY_SEPARATOR,
      sessionIdleMs: e.MCPS_GATEWAY_SESSION_IDLE_MINUTES * 60 * 1000,
      maxSessions: e.MCPS_GATEWAY_MAX_SESSIONS,
      sessionPool: e.MCPS_GATEWAY_SESSION_POOL,
    }),
  });
}

const pipeEnvSchema = pipeTimingSchema.extend({
  MCP_ENDPOINT: str.optional(),
  MCP_CONFIG: str.optional(),
  LOG_LEVEL: envSchema.shape.LOG_LEVEL,
});

/**
 * The configuration of `mcps pipe`: MCP_ENDPOINT, MCP_CONFIG, LOG_LEVEL and MCPS_PIPE_*, from the
 * environment and ./.env (the same rules as loadConfig). Creates no file. Throws ConfigError.
 */
export function loadPipeConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Readonly<PipeConfig> {
  const cwd = installDir(env, options.cwd);
  const fileVars = readEnvFile(options.envFile === undefined ? path.join(cwd, '.env') : options.envFile);
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...fileVars, ...env })) {
    if (v !== undefined && k in pipeEnvSchema.shape && v.trim() !== '') merged[k] = v;
  }
  const parsed = pipeEnvSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0] ?? 'configuration')}: ${issue.message}`);
  }
  const e = parsed.data;
  const inheritedEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) inheritedEnv[k] = v;
  return Object.freeze({
    endpoint: e.MCP_ENDPOINT,
    configFile: e.MCP_CONFIG ? path.resolve(cwd, e.MCP_CONFIG) : undefined,
    logLevel: e.LOG_LEVEL,
    timing: pipeTimingOf(e),
    inheritedEnv,
  });
}

function pipeTimingOf(e: z.infer<typeof pipeTimingSchema>): PipeTiming {
  return {
    backoffBaseMs: e.MCPS_PIPE_BACKOFF_BASE_MS,
    backoffMaxMs: Math.max(e.MCPS_PIPE_BACKOFF_MAX_MS, e.MCPS_PIPE_BACKOFF_BASE_MS),
    stableMs: e.MCPS_PIPE_STABLE_MS,
    pingIntervalMs: e.MCPS_PIPE_PING_INTERVAL_MS,
    pongTimeoutMs: e.MCPS_PIPE_PONG_TIMEOUT_MS,
  };
}

/** What `mcps connect` (a client of a gateway, possibly on another machine) reads: its own two variables. */
export function loadConnectConfig(env: NodeJS.ProcessEnv = process.env): { url: string | undefined; apiKey: string | undefined } {
  const url = env['MCPS_URL']?.trim();
  const apiKey = env['MCPS_API_KEY']?.trim();
  return { url: url || undefined, apiKey: apiKey || undefined };
}

function readEnvFile(file: string | false): Record<string, string> {
  if (file === false || !existsSync(file)) return {};
  try {
    return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    throw new ConfigError(`Invalid configuration: ${file}: ${(err as Error).message}`);
  }
}

/** Throws ConfigError naming the missing SQLite file, and how to point at the right install. */
function requireExistingDatabase(databaseUrl: string): void {
  if (!databaseUrl.startsWith('sqlite:')) return;
  const file = sqlitePathOf(databaseUrl);
  if (file !== ':memory:' && !existsSync(file)) throw new ConfigError(`no database at ${file} (set MCPS_HOME or DATABASE_URL)`);
}

function resolveSecretKey(
  given: string | undefined,
  environment: Env['ENVIRONMENT'],
  dataDir: string,
  create: boolean,
): { secretKey: string; secretKeySource: 'env' | 'file' } {
  if (environment === 'production') {
    if (!given) throw new ConfigError('Invalid configuration: SECRET_KEY: required when ENVIRONMENT=production');
    if (EXAMPLE_SECRET_KEYS.has(given.toLowerCase()))
      throw new ConfigError('Invalid configuration: SECRET_KEY: is an example value; generate one with `openssl rand -base64 48`');
    if (given.length < MIN_SECRET_KEY_LENGTH)
      throw new ConfigError(`Invalid configuration: SECRET_KEY: must be at least ${MIN_SECRET_KEY_LENGTH} characters in production`);
  }
  if (given) return { secretKey: given, secretKeySource: 'env' };
  const file = path.join(dataDir, 'secret_key');
  // Commands reading an existing install sign no token: without the file they get a key of their own, unsaved.
  if (!create && !existsSync(file)) return { secretKey: randomBytes(48).toString('base64url'), secretKeySource: 'file' };
  const key = readOrCreateKeyFile(file, 48).toString('base64url');
  return { secretKey: key, secretKeySource: 'file' };
}

/** Production without a master key stops here; development falls back to DATA_DIR/master_key (0600). */
function resolveMasterKeys(e: Env, dataDir: string, create: boolean): MasterKeyRing {
  const file = path.join(dataDir, DEVELOPMENT_MASTER_KEY_FILE);
  const fromFile = !e.MCPS_MASTER_KEYS?.trim() && !e.MCPS_MASTER_KEY?.trim() && e.ENVIRONMENT !== 'production';
  if (fromFile && !create && !existsSync(file)) return missingKeyRing(file);
  try {
    return resolveMasterKeyRing({
      masterKeys: e.MCPS_MASTER_KEYS?.trim() || undefined,
      masterKey: e.MCPS_MASTER_KEY?.trim() || undefined,
      production: e.ENVIRONMENT === 'production',
      developmentKeyFile: file,
    });
  } catch (err) {
    if (err instanceof MasterKeyConfigError) throw new ConfigError(err.message);
    // The development key file is unreadable or corrupt.
    throw new ConfigError(`Invalid configuration: MCPS_MASTER_KEY: ${(err as Error).message}`);
  }
}

/**
 * For a command reading an install whose key file is missing: a new key would open none of its secrets,
 * so nothing is created and opening a secret fails, naming the file.
 */
function missingKeyRing(file: string): MasterKeyRing {
  return {
    currentVersion: SINGLE_MASTER_KEY_VERSION,
    versions: [SINGLE_MASTER_KEY_VERSION],
    source: 'file',
    keyFor: () => {
      throw new ConfigError(`no key file at ${file} (set MCPS_HOME or DATA_DIR)`);
    },
  };
}

/** sqlite:///./data/x.db -> sqlite:////abs/data/x.db, so the process can change directory safely. */
function resolveSqliteUrl(url: string, cwd: string): string {
  if (!url.startsWith('sqlite:')) return url;
  const p = sqlitePathOf(url);
  if (p === ':memory:') return url;
  return `sqlite:///${path.resolve(cwd, p)}`;
}

/**
 * The file path in a sqlite URL, read as SQLAlchemy does: after `sqlite:///` comes the path, relative
 * unless it starts with `/` (so `sqlite:////var/x.db` is absolute). `sqlite::memory:` is in-memory.
 */
export function sqlitePathOf(url: string): string {
  if (url === 'sqlite::memory:' || url === 'sqlite:///:memory:') return ':memory:';
  const m = /^sqlite:\/\/\/(.+)$/.exec(url);
  if (!m) throw new ConfigError('Invalid configuration: DATABASE_URL: expected sqlite:///path/to/file.db');
  return m[1]!;
}

export interface OAuthDelegateConfig {
  issuer: string;
  jwksUrl: string | null;
  audience: string | null;
  usernameClaim: string;
  rolesClaim: string;
  roleMap: Readonly<Record<string, 'admin' | 'operator' | 'viewer'>>;
  createUsers: boolean;
}

export interface OAuthConfig {
  /** The platform's own authorization server (under /oauth). */
  server: boolean;
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
  delegate: OAuthDelegateConfig | null;
}

function publicUrlOf(e: Env): string {
  if (e.MCPS_PUBLIC_URL) return e.MCPS_PUBLIC_URL.replace(/\/+$/, '');
  const host = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST;
  return `http://${host}:${e.PORT}`;
}

function oauthConfigOf(e: Env): OAuthConfig {
  const roleMap: Record<string, 'admin' | 'operator' | 'viewer'> = {};
  for (const entry of e.MCPS_OAUTH_DELEGATE_ROLE_MAP) {
    const at = entry.lastIndexOf('=');
    roleMap[entry.slice(0, at)] = entry.slice(at + 1) as 'admin' | 'operator' | 'viewer';
  }
  return Object.freeze({
    server: e.MCPS_OAUTH_SERVER,
    accessTokenSeconds: e.MCPS_OAUTH_ACCESS_TOKEN_MINUTES * 60,
    refreshTokenSeconds: e.MCPS_OAUTH_REFRESH_TOKEN_DAYS * 24 * 3600,
    delegate: e.MCPS_OAUTH_DELEGATE_ISSUER
      ? Object.freeze({
          issuer: e.MCPS_OAUTH_DELEGATE_ISSUER,
          jwksUrl: e.MCPS_OAUTH_DELEGATE_JWKS_URL ?? null,
          audience: e.MCPS_OAUTH_DELEGATE_AUDIENCE ?? null,
          usernameClaim: e.MCPS_OAUTH_DELEGATE_USERNAME_CLAIM,
          rolesClaim: e.MCPS_OAUTH_DELEGATE_ROLES_CLAIM,
          roleMap: Object.freeze(roleMap),
          createUsers: e.MCPS_OAUTH_DELEGATE_CREATE_USERS,
        })
      : null,
  });
}
