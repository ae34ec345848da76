import type { Command } from 'commander';
import { runningInstance } from '../system/instance-lock.js';
import type { CliEnv } from './cli-env.js';

/** LSB init-script status codes: 0 running, 3 not running. */
export const STATUS_NOT_RUNNING = 3;

/**
 * `mcps status`: whether a platform runs on this configuration's data folder, with its pid, URL,
 * uptime and the answer of its /health endpoint. Exit 0 when running, 3 when not (as LSB `status`).
 */
export function registerStatusCommand(program: Command, env: CliEnv): void {
  program
    .command('status')
    .description('is the platform of this configuration running? (exit 0 yes, 3 no)')
    .action(async () => {
      env.existingInstallOnly();
      const dataDir = env.config().dataDir;
      const owner = runningInstance(dataDir);
      if (!owner) {
        env.out(`not running (data folder ${dataDir})`);
        process.exitCode = STATUS_NOT_RUNNING;
        return;
      }
      const uptime = formatUptime(Date.now() - Date.parse(owner.startedAt));
      const health = owner.url ? await healthOf(owner.url) : 'starting';
      env.out(`running: pid ${owner.pid}, ${owner.url ?? 'not listening yet'}, up ${uptime}, health: ${health}`);
    });
}

async function healthOf(url: string): Promise<string> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json().catch(() => ({}))) as { status?: unknown };
    return res.ok ? String(body.status ?? res.status) : `HTTP ${res.status}`;
  } catch (err) {
    return `no answer (${(err as Error).message})`;
  }
}

function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const parts: [number, string][] = [[Math.floor(s / 86400), 'd'], [Math.floor((s % 86400) / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']];
  const first = parts.findIndex(([n]) => n > 0);
  return first === -1 ? '0s' : parts.slice(first, first + 2).map(([n, u]) => `${n}${u}`).join(' ');
}
