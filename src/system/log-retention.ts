import type { Logger } from 'pino';
import type { LogsService } from '../logs/logs.service.js';
import { applyTrafficRetention, protocolLogRetention } from '../protocol-log/protocol-log-retention.js';
import type { TrafficRepository } from '../protocol-log/protocol-log.repository.js';
import type { SettingsService } from './settings.service.js';

export interface LogRetentionDeps {
  logs: Pick<LogsService, 'cleanup'>;
  traffic: Pick<TrafficRepository, 'deleteOlderThan' | 'keepNewest'>;
  settings: Pick<SettingsService, 'get' | 'onChange'>;
  log: Pick<Logger, 'info' | 'error'>;
  /** Default hourly. */
  intervalMs?: number;
}

/**
 * Deletes system and operation log entries past their retention, at start and hourly; when a retention
 * setting changes, applies that log's new policy at once (the protocol log's too).
 */
export function createLogRetention(deps: LogRetentionDeps) {
  const { settings, log } = deps;
  let timer: NodeJS.Timeout | null = null;
  const off: (() => void)[] = [];

  const prune = async (type: 'system' | 'operations'): Promise<number> => {
    const days = settings.get(type === 'system' ? 'logs.system.retention_days' : 'logs.operations.retention_days');
    if (days === 0) return 0;
    return (await deps.logs.cleanup(type, days))[type];
  };
  const pruneProtocol = async () => {
    const r = await applyTrafficRetention(deps.traffic, protocolLogRetention(settings));
    return r.byAge + r.bySize;
  };
  const report = (what: string) => (n: number) => void (n > 0 && log.info({ deleted: n, log: what }, 'log retention applied'));
  const fail = (what: string) => (err: unknown) => log.error({ err, log: what }, 'log retention failed');

  const retention = {
    async run(): Promise<{ system: number; operations: number }> {
      const system = await prune('system');
      const operations = await prune('operations');
      report('system')(system);
      report('operations')(operations);
      return { system, operations };
    },
    /** Runs a first pass now (in the background), then hourly. */
    start(): void {
      if (timer) return;
      void retention.run().catch(fail('system and operations'));
      timer = setInterval(() => void retention.run().catch(fail('system and operations')), deps.intervalMs ?? 60 * 60 * 1000);
      timer.unref();
      off.push(
        settings.onChange('logs.system.retention_days', () => void prune('system').then(report('system'), fail('system'))),
        settings.onChange('logs.operations.retention_days', () => void prune('operations').then(report('operations'), fail('operations'))),
        settings.onChange('logs.mcp.retention_days', () => void pruneProtocol().then(report('mcp'), fail('mcp'))),
        settings.onChange('logs.mcp.max_rows', () => void pruneProtocol().then(report('mcp'), fail('mcp'))),
      );
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
      for (const f of off.splice(0)) f();
    },
  };
  return retention;
}
