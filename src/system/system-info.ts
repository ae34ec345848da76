import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/database.js';
import { maskUrl } from '../lib/credential-mask.js';
import { databaseInfo } from './database-info.js';
import { diskUsage } from './host-sampler.js';
import { pingRedis } from './redis-ping.js';
import type { SettingsService } from './settings.service.js';

export interface SystemInfoDeps {
  config: Readonly<Config>;
  db: Kysely<Database>;
  dialect: Dialect;
  dbDisplay: string;
  version: string;
  /** This process among instances sharing the database, as publications' `running_on` names it. */
  instanceId: string;
  startedAt: number;
  settings: Pick<SettingsService, 'get'>;
}

/** `/system/info`: what this installation is and runs on. Secrets are never part of it. */
export async function collectSystemInfo(deps: SystemInfoDeps) {
  const { config } = deps;
  const cpus = os.cpus();
  const [database, disk, redis] = await Promise.all([
    databaseInfo(deps.db, deps.dialect, maskUrl(deps.dbDisplay)),
    diskUsage(config.dataDir),
    config.redisUrl ? pingRedis(config.redisUrl) : Promise.resolve(null),
  ]);
  return {
    version: deps.version,
    started_at: new Date(deps.startedAt).toISOString(),
    uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
    pid: process.pid,
    instance_id: deps.instanceId,
    node: { version: process.version, v8: process.versions.v8 },
    os: { platform: process.platform, type: os.type(), release: os.release(), arch: os.arch(), hostname: os.hostname() },
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, speed_mhz: cpus[0]?.speed ?? null },
    memory: { total_bytes: os.totalmem(), free_bytes: os.freemem() },
    disk,
    database,
    redis: config.redisUrl
      ? { configured: true, url: maskUrl(config.redisUrl), reachable: redis!.reachable, latency_ms: redis!.latency_ms, error: redis!.error }
      : { configured: false, url: null, reachable: null, latency_ms: null, error: null },
    config: {
      environment: config.environment,
      host: config.host,
      port: config.port,
      api_prefix: config.apiPrefix,
      data_dir: config.dataDir,
      log_dir: config.logDir,
      backup_dir: config.backupDir,
      log_level: deps.settings.get('log.level'),
      cors_origins: deps.settings.get('cors.origins'),
      allowed_hosts: [...config.allowedHosts],
      trust_proxy: config.trustProxy,
      secret_key: config.secretKeySource === 'env' ? 'set in the environment' : 'generated in DATA_DIR/secret_key',
      master_key: { source: config.masterKeyRing.source, versions: [...config.masterKeyRing.versions] },
      metrics_token: config.metricsToken ? 'set' : 'not set',
      metrics: { interval_seconds: config.metricsIntervalMs / 1000, window_minutes: config.metricsWindowMs / 60_000 },
    },
  };
}
