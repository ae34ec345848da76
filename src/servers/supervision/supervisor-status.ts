import type { ServerStatus } from './server-status.js';
import { ServerError } from '../server-errors.js';
import type { SupervisorEntry } from './supervisor-entry.js';

/** What the supervisor reports about one server at `now`. */
export function statusOf(entry: SupervisorEntry, now: number): ServerStatus {
  const conn = entry.instance?.connection;
  return {
    name: entry.config.name,
    transport: entry.config.transport,
    state: entry.state,
    pid: entry.instance?.pid ?? null,
    restarts: entry.restarts,
    failures: entry.failures.count(now),
    failuresTotal: entry.failuresTotal,
    lastError: entry.lastError,
    lastExit: entry.lastExit,
    startedAt: entry.runningSince === null ? null : new Date(entry.runningSince).toISOString(),
    uptimeMs: entry.runningSince === null ? null : now - entry.runningSince,
    nextRestartAt: entry.nextRestartAt === null ? null : new Date(entry.nextRestartAt).toISOString(),
    serverInfo: conn?.serverInfo() ?? null,
    protocolVersion: conn?.protocolVersion() ?? null,
    transitions: [...entry.history],
  };
}

/** SERVER_NOT_RUNNING for a server whose connection was asked for while it does not run. */
export function notRunningError(entry: SupervisorEntry): ServerError {
  const name = entry.config.name;
  return new ServerError(
    'SERVER_NOT_RUNNING',
    name,
    `MCP server "${name}" is ${entry.state}${entry.lastError ? ` (last error: ${entry.lastError})` : ''}`,
    { details: { state: entry.state } },
  );
}
