import { z } from 'zod';
import { SERVER_STATES } from '../servers/supervision/server-state.js';
import { SETTING_DESCRIPTIONS, SETTING_KEYS, SETTING_SCHEMAS, type SettingKey } from './settings-definitions.js';
import { settingKeyProblem } from './settings-validation.js';

const num = z.number().nullable();

const disk = z.object({ path: z.string(), total_bytes: z.number(), free_bytes: z.number(), used_bytes: z.number() });

export const systemInfo = z.object({
  version: z.string(),
  started_at: z.string(),
  uptime_seconds: z.number(),
  pid: z.number(),
  instance_id: z.string().describe('This process among the instances sharing the database (host:pid:random), as a publication\'s `running_on` names it'),
  node: z.object({ version: z.string(), v8: z.string() }),
  os: z.object({ platform: z.string(), type: z.string(), release: z.string(), arch: z.string(), hostname: z.string() }),
  cpu: z.object({ model: z.string(), cores: z.number(), speed_mhz: num }),
  memory: z.object({ total_bytes: z.number(), free_bytes: z.number() }),
  disk: disk.nullable().describe('The file system holding DATA_DIR'),
  database: z.object({
    kind: z.enum(['sqlite', 'postgres']),
    version: z.string().nullable(),
    url: z.string().describe('Without its password'),
    size_bytes: num,
    schema_version: z.string().nullable(),
  }),
  redis: z.object({ configured: z.boolean(), url: z.string().nullable(), reachable: z.boolean().nullable(), latency_ms: num, error: z.string().nullable() }),
  config: z.object({
    environment: z.string(),
    host: z.string(),
    port: z.number(),
    api_prefix: z.string(),
    data_dir: z.string(),
    log_dir: z.string(),
    backup_dir: z.string(),
    log_level: z.string(),
    cors_origins: z.array(z.string()),
    allowed_hosts: z.array(z.string()),
    trust_proxy: z.boolean(),
    secret_key: z.string(),
    master_key: z.object({ source: z.string(), versions: z.array(z.string()) }),
    metrics_token: z.string(),
    metrics: z.object({ interval_seconds: z.number(), window_minutes: z.number() }),
  }).describe('Summary; secrets are never shown'),
});

const serverLine = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  state: z.enum(SERVER_STATES),
  pid: num,
  cpu_percent: num,
  rss_bytes: num,
  restarts: z.number(),
  uptime_ms: num,
  sampled_at: z.string().nullable().describe('When CPU and RSS were sampled'),
});

export const systemStatus = z.object({
  time: z.string(),
  sampled_at: z.string(),
  uptime_seconds: z.number(),
  cpu: z.object({ percent: num, process_percent: num, cores: z.number() }),
  load: z.object({ '1m': z.number(), '5m': z.number(), '15m': z.number() }),
  memory: z.object({ total_bytes: z.number(), available_bytes: z.number(), used_percent: z.number(), process_rss_bytes: z.number(), heap_used_bytes: z.number() }),
  disk: z.object({ path: z.string(), total_bytes: z.number(), free_bytes: num }).nullable(),
  event_loop: z.object({ lag_ms: num, lag_p99_ms: num, lag_max_ms: num }),
  handles: z.object({ total: z.number(), by_type: z.record(z.string(), z.number()) }),
  http: z.object({
    requests_per_second: z.number(),
    requests: z.number(),
    errors: z.number(),
    p50_ms: num,
    p95_ms: num,
    window_seconds: z.number(),
    total: z.number(),
  }).describe('Requests over the last minute (errors: 5xx), latency percentiles of the latest requests'),
  servers: z.object({ total: z.number(), by_state: z.record(z.string(), z.number()), items: z.array(serverLine) }),
});

const hostSample = z.object({
  time: z.string(),
  cpu_percent: num,
  process_cpu_percent: num,
  load_1m: num,
  load_5m: num,
  load_15m: num,
  memory_total_bytes: num,
  memory_available_bytes: num,
  process_rss_bytes: num,
  heap_used_bytes: num,
  event_loop_lag_ms: num,
  event_loop_lag_p99_ms: num,
  event_loop_lag_max_ms: num,
  active_handles: num,
  disk_total_bytes: num,
  disk_free_bytes: num,
  http_requests: num,
  http_errors: num,
  http_p50_ms: num,
  http_p95_ms: num,
});

const serverSample = z.object({
  time: z.string(),
  state: z.string(),
  pid: num,
  cpu_percent: num,
  rss_bytes: num,
  restarts: num,
  uptime_ms: num,
  calls: num,
  errors: num,
  p50_ms: num,
  p95_ms: num,
});

export const metricsQuery = z.object({
  since: z.iso.datetime({ offset: true }).optional().describe('ISO-8601 time; default: the start of the kept window'),
  step: z.coerce.number().int().min(1).max(86_400).optional().describe('Seconds per point; samples in a step are merged (averages, maxima, sums)'),
});

export const systemMetrics = z.object({
  since: z.string(),
  until: z.string(),
  interval_seconds: z.number(),
  window_seconds: z.number(),
  step_seconds: num,
  host: z.array(hostSample),
  servers: z.record(z.string(), z.array(serverSample)),
});

const settingKey = z.enum(SETTING_KEYS as [string, ...string[]]);

export const settingsResponse = z.object({
  runtime: z.array(z.object({
    key: settingKey,
    value: z.unknown(),
    default: z.unknown(),
    source: z.enum(['database', 'env', 'file', 'default']),
    env: z.string().nullable(),
    description: z.string(),
    updated_at: z.string().nullable(),
    updated_by: z.string().nullable(),
  })).describe('Changeable at run time with PUT'),
  restart_required: z.array(z.object({
    name: z.string(),
    value: z.unknown(),
    source: z.enum(['env', 'file', 'default']),
    secret: z.boolean(),
    runtime_setting: z.string().nullable().describe('The runtime setting this variable gives the default of'),
  })).describe('Environment settings; change them in the environment or .env and restart. Secrets are masked.'),
});

export const settingsUpdateResponse = settingsResponse.extend({
  changes: z.array(z.object({ key: settingKey, old: z.unknown(), new: z.unknown() })),
});

/**
 * Each key optional; null resets it to its default. Other keys are refused with the reason
 * (restart-only, named in `restartOnly`, or unknown) next to any bad value, so one answer lists every
 * problem; the settings service re-checks everything before storing.
 */
export const settingsUpdateBody = (restartOnly: Readonly<Record<string, unknown>>) =>
  z
    .object(Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTING_SCHEMAS[k].nullable().optional().describe(SETTING_DESCRIPTIONS[k])])) as {
      [K in SettingKey]: z.ZodOptional<z.ZodNullable<(typeof SETTING_SCHEMAS)[K]>>;
    })
    .catchall(z.unknown())
    .superRefine(
      (body, ctx) => {
        if (!body || typeof body !== 'object' || Array.isArray(body)) return;
        for (const key of Object.keys(body)) {
          const message = settingKeyProblem(key, restartOnly);
          if (message !== null) ctx.addIssue({ code: 'custom', path: [key], message });
        }
      },
      // Also when a value is already wrong: every problem in one answer.
      { when: () => true },
    )
    .describe('Runtime settings to change; null resets a key to its default. All or nothing.');
