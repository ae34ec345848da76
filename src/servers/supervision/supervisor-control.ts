import type { ServerStatus } from './server-status.js';
import type { SupervisorContext } from './supervisor-context.js';
import { abandonWork, clearRestart, takeInstance, type SupervisorEntry } from './supervisor-entry.js';
import type { Launch } from './supervisor-launch.js';
import { statusOf } from './supervisor-status.js';

/** Starting and stopping one server on request: the supervisor's `start`, `stop` and `restart`. */
export interface EntryControl {
  start(entry: SupervisorEntry, reason: string): Promise<ServerStatus>;
  stop(entry: SupervisorEntry, reason: string): Promise<ServerStatus>;
}

export function createEntryControl(ctx: SupervisorContext, launch: Launch): EntryControl {
  const { move } = ctx;
  const status = (entry: SupervisorEntry) => statusOf(entry, ctx.timers.now());

  const start = async (entry: SupervisorEntry, reason: string): Promise<ServerStatus> => {
    while (entry.state === 'stopping' && entry.stopping) await entry.stopping;
    switch (entry.state) {
      case 'running':
        return status(entry);
      case 'starting':
        await entry.launching?.promise;
        return status(entry);
      case 'backoff':
        clearRestart(entry);
        break;
      case 'stopped':
      case 'fatal':
      case 'stopping':
        break;
    }
    entry.failures.reset();
    move(entry, 'starting', reason);
    await launch(entry);
    // A stop that cancelled this start settles the attempt too.
    if (entry.state === 'stopping') await entry.stopping;
    return status(entry);
  };

  /** Stops a starting, running or backoff server: abandons its work, then tears the instance down. */
  const stopActive = async (entry: SupervisorEntry, reason: string) => {
    abandonWork(entry);
    const launching = entry.launching;
    entry.launching = null;
    launching?.abort.abort();
    // The transition still names the pid of the instance being stopped.
    move(entry, 'stopping', reason);
    const instance = takeInstance(entry);
    if (instance) ctx.trackTeardown(entry, instance);
    entry.stopping = (async () => {
      await launching?.promise;
      while (entry.teardowns.size > 0) await Promise.all(entry.teardowns);
      if (instance) entry.lastExit = instance.exit();
      entry.stopping = null;
      move(entry, 'stopped', 'stopped');
    })();
    await entry.stopping;
  };

  const stop = async (entry: SupervisorEntry, reason: string): Promise<ServerStatus> => {
    switch (entry.state) {
      case 'stopped':
        break;
      case 'stopping':
        await entry.stopping;
        break;
      case 'fatal':
        entry.epoch++;
        move(entry, 'stopped', reason);
        await Promise.all(entry.teardowns);
        break;
      case 'starting':
      case 'running':
      case 'backoff':
        await stopActive(entry, reason);
        break;
    }
    return status(entry);
  };

  return { start, stop };
}
