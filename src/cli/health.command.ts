import type { Command } from 'commander';
import { runningInstance } from '../system/instance-lock.js';
import type { CliEnv } from './cli-env.js';

interface HealthBody {
  status: 'ok' | 'degraded';
  version?: string;
  database?: { kind: string; reachable: boolean };
  checks?: { name: string; status: string; detail: string }[];
}

/**
 * `mcps health`: the platform's own health (database, Redis when configured, managed servers, disk
 * space in DATA_DIR, age of the last backup), as GET /system/health answers it. Asks the running
 * platform of this configuration (or `--url`); when none runs, checks the same things itself.
 * Exit 0 when healthy, 1 otherwise (a check warns or fails, or the platform does not answer).
 */
export function registerHealthCommand(program: Command, env: CliEnv): void {
  program
    .command('health')
    .description("the platform's own health checks; exit 0 healthy, 1 not")
    .option('--url <url>', 'ask this platform (e.g. http://127.0.0.1:8000) instead of the one of this configuration')
    .option('--json', 'print the answer as JSON')
    .action(async (opts: { url?: string; json?: boolean }) => {
      env.existingInstallOnly();
      const config = env.config();
      const base = opts.url ?? runningInstance(config.dataDir)?.url ?? null;
      let body: HealthBody;
      let source: string;
      if (base) {
        source = base;
        try {
          const res = await fetch(`${base.replace(/\/$/, '')}${config.apiPrefix}/system/health`, { signal: AbortSignal.timeout(10_000) });
          body = (await res.json()) as HealthBody;
        } catch (err) {
          env.out(`unhealthy: ${base} does not answer (${(err as Error).message})`);
          process.exitCode = 1;
          return;
        }
      } else {
        source = 'local checks (the platform is not running)';
        body = await env.withContext(async (ctx) => {
          const checks = await ctx.monitors.platformHealth();
          return { status: checks.every((c) => c.status === 'ok') ? 'ok' : 'degraded', checks };
        });
      }
      if (opts.json) env.out(JSON.stringify(body, null, 2));
      else {
        env.out(`${body.status === 'ok' ? 'healthy' : 'unhealthy'} (${source})`);
        for (const c of body.checks ?? []) env.out(`  ${c.status.toUpperCase().padEnd(4)} ${c.name.padEnd(9)} ${c.detail}`);
      }
      if (body.status !== 'ok') process.exitCode = 1;
    });
}
