import type { Command } from 'commander';
import { isRunning, runningInstance } from '../system/instance-lock.js';
import type { CliEnv } from './cli-env.js';

const DEFAULT_TIMEOUT_SECONDS = 40;
const KILL_WAIT_MS = 5000;

/**
 * `mcps stop`: stops the platform running on this configuration's data folder: SIGTERM (graceful:
 * requests finish, managed servers stop, logs flush), then SIGKILL if it is still running after
 * `--timeout` seconds. Not running is not an error. A killed platform's servers are reaped at its next start.
 */
export function registerStopCommand(program: Command, env: CliEnv): void {
  program
    .command('stop')
    .description('stop the platform of this configuration (SIGTERM, then SIGKILL after --timeout)')
    .option('--timeout <seconds>', 'how long a graceful stop may take before SIGKILL', String(DEFAULT_TIMEOUT_SECONDS))
    .action(async (o: { timeout: string }) => {
      const seconds = Number(o.timeout);
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`--timeout: expected a number of seconds, got "${o.timeout}"`);
      env.existingInstallOnly();
      const owner = runningInstance(env.config().dataDir);
      if (!owner) return env.out('not running');
      signal(owner.pid, 'SIGTERM');
      if (await stopsWithin(() => isRunning(owner), seconds * 1000)) return env.out(`stopped (pid ${owner.pid})`);
      signal(owner.pid, 'SIGKILL');
      if (!(await stopsWithin(() => isRunning(owner), KILL_WAIT_MS))) throw new Error(`pid ${owner.pid} is still running after SIGKILL`);
      env.out(`did not stop within ${seconds} s: killed (pid ${owner.pid}); its servers are reaped at the next start`);
    });
}

/** A process that exited meanwhile (ESRCH) is what we wanted. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function stopsWithin(running: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
