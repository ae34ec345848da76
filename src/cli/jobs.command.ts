import type { Command } from 'commander';
import type { CliEnv } from './cli-env.js';

/**
 * `mcps jobs ls|show|watch|cancel`: batch jobs of the running platform, over its REST API (the batches
 * run there). The platform is found from this configuration's data folder, or --url / MCPS_URL; the
 * API key comes from MCPS_API_KEY (or --key). The code loads only when a command runs.
 */
export function registerJobsCommands(program: Command, env: CliEnv): void {
  const jobs = program
    .command('jobs')
    .description('batch jobs of the running platform (needs an API key: MCPS_API_KEY)')
    .option('--url <url>', 'the platform (env MCPS_URL; default: the one running on this data folder)')
    .option('--key <key>', 'API key (env MCPS_API_KEY); prefer the environment: arguments show in process lists');
  const run = (name: 'ls' | 'show' | 'watch' | 'cancel') => async (...args: unknown[]) => {
    const { runJobsCommand } = await import('../jobs/jobs.cli.js');
    await runJobsCommand(name, args, jobs.opts<{ url?: string; key?: string }>(), env);
  };

  jobs.command('ls').description('batches, newest first').option('--status <status>', 'running|completed|failed|cancelled').option('--limit <n>', 'at most this many', '20').option('--json', 'print JSON').action(run('ls'));
  jobs.command('show <id>').description('a batch: progress and its items').option('--status <status>', 'only items in this state (pending|running|done|failed|cancelled)').option('--limit <n>', 'items shown', '50').option('--offset <n>', 'first item shown', '0').option('--json', 'print JSON').action(run('show'));
  jobs.command('watch <id>').description('follow a batch until it ends (exit 0 completed, 1 failed, 2 cancelled)').option('--interval <ms>', 'poll interval', '500').option('--reconnect <s>', 'keep trying this long while the platform is unreachable (restarting)', '120').action(run('watch'));
  jobs.command('cancel <id>').description('cancel a running batch').action(run('cancel'));
}
