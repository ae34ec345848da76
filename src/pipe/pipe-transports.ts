import { spawnChild, type SpawnChild } from '../servers/process/child-process.js';
import { createLineSplitter } from '../servers/process/line-splitter.js';
import { createRemoteTransport } from '../servers/connection/remote-transport.js';
import { StdioChildTransport } from '../servers/connection/stdio-child-transport.js';
import { parseJsonRpcEnvelope } from './jsonrpc.js';
import type { PipeTarget } from './pipe-config.js';
import type { PipeLog } from './pipe-log.js';
import type { OpenTransport } from './transport-link.js';

export interface PipeTransportDeps {
  /** The environment a stdio server inherits (its own `env` is added on top). */
  inheritedEnv: Record<string, string>;
  log: PipeLog;
  spawn?: SpawnChild;
  /** Longest stdout line (one message) accepted from a stdio server (default 64 MiB). */
  maxLineBytes?: number;
}

/**
 * How a pipe reaches its server, one new transport per WebSocket connection (and per restart):
 * - stdio: a child in its own process group (stopped in steps: stdin, SIGTERM, SIGKILL to the
 *   group), stdout split into whole lines, stderr copied to the log line by line;
 * - sse / streamable-http: the SDK's client transport, relaying raw JSON-RPC messages (no proxy process).
 */
export function openTransportFor(target: PipeTarget, deps: PipeTransportDeps): OpenTransport {
  if (target.kind !== 'stdio') {
    return async () =>
      createRemoteTransport({
        name: target.name,
        transport: target.kind,
        url: target.url,
        headers: target.headers,
        restart_policy: 'never',
        max_retries: 0,
        timeout_ms: 30_000,
      });
  }
  const spawn = deps.spawn ?? spawnChild;
  return async () => {
    const child = await spawn({ command: target.command, args: target.args, env: { ...deps.inheritedEnv, ...target.env }, cwd: target.cwd });
    deps.log.info(`started ${target.command} (pid ${child.pid})`);
    const stderr = createLineSplitter(
      { maxLineBytes: 64 * 1024 },
      {
        onLine: (line) => {
          const text = line.toString('utf8').trimEnd();
          if (text) deps.log.info(`server stderr: ${text}`);
        },
        onOverflow: (bytes) => deps.log.info(`server stderr: [a line of ${bytes} bytes]`),
      },
    );
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stderr.once('end', () => stderr.end());
    void child.exited.then((exit) => deps.log.info(`server process ${child.pid} exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`})`));
    return new StdioChildTransport({
      child,
      maxLineBytes: deps.maxLineBytes ?? 64 * 1024 * 1024,
      onNoise: (text) => deps.log.debug(`ignored a stdout line that is not JSON-RPC: ${text}`),
      parse: parseJsonRpcEnvelope,
    });
  };
}
