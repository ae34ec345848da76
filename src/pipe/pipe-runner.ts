import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PipeConfig } from '../config.js';
import { AppError } from '../http/app-error.js';
import { parseEndpoint, redactEndpoint } from './endpoint-url.js';
import { createLineLog } from './line-log.js';
import { readPipeConfigFile, scriptTarget, type PipeTarget } from './pipe-config.js';
import { createPipeRelay, type PipeRelay } from './pipe-relay.js';
import { openTransportFor } from './pipe-transports.js';

export interface PipeCommandInput {
  /** A server name from the config file, or a script path; absent: every enabled server. */
  target?: string | undefined;
  /** Arguments for a script target. */
  args: string[];
  /** --endpoint, else MCP_ENDPOINT. */
  endpoint?: string | undefined;
  /** --config, else MCP_CONFIG, else ./mcp_config.json. */
  config?: string | undefined;
  cwd: string;
}

export interface RunningPipes {
  pipes: { name: string; relay: PipeRelay }[];
  /** Resolves when every pipe gave up ("do not retry" answers), with their reasons. */
  allFatal: Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Works out what `mcps pipe` relays, as mcp_pipe.py does: a script argument, a server name, or
 * every enabled server of the config file, each on its own WebSocket connection. Throws AppError
 * `validation` with a message for the user when there is nothing to pipe or no endpoint.
 */
export function planPipes(input: PipeCommandInput, pc: PipeConfig, nodePath: string): { targets: { target: PipeTarget; endpoint: string }[]; notes: string[] } {
  const configFile = input.config ? path.resolve(input.cwd, input.config) : (pc.configFile ?? path.join(input.cwd, 'mcp_config.json'));
  const explicitConfig = Boolean(input.config ?? pc.configFile);
  const notes: string[] = [];
  let targets: PipeTarget[];
  if (input.target) {
    const file = existsSync(configFile) ? readPipeConfigFile(configFile) : null;
    const named = file?.servers.find((s) => s.target.name === input.target);
    if (named) targets = [named.target];
    else if (existsSync(path.resolve(input.cwd, input.target))) targets = [scriptTarget(path.resolve(input.cwd, input.target), input.args, nodePath)];
    else throw new AppError('validation', `"${input.target}" is neither a server in ${configFile} nor a script file`);
  } else {
    if (!existsSync(configFile)) {
      throw new AppError(
        'validation',
        explicitConfig
          ? `config file ${configFile} not found`
          : `nothing to pipe: give a script (mcps pipe server.py) or a server name, or create ./mcp_config.json (or set MCP_CONFIG)`,
      );
    }
    const file = readPipeConfigFile(configFile);
    for (const s of file.skipped) notes.push(`skipping "${s.name}": ${s.reason}`);
    for (const s of file.servers) if (s.disabled) notes.push(`skipping "${s.target.name}": disabled`);
    targets = file.servers.filter((s) => !s.disabled).map((s) => s.target);
    if (targets.length === 0) throw new AppError('validation', [`no enabled server in ${configFile}`, ...notes].join('; '));
  }
  const fallback = input.endpoint ?? pc.endpoint;
  return {
    targets: targets.map((target) => {
      const endpoint = target.endpoint ?? fallback;
      if (!endpoint) {
        throw new AppError('validation', `no endpoint for "${target.name}": set MCP_ENDPOINT (in the environment or .env), pass --endpoint, or give the server an "endpoint" in the config file`);
      }
      parseEndpoint(endpoint, target.endpoint ? `endpoint of "${target.name}"` : 'MCP_ENDPOINT');
      return { target, endpoint };
    }),
    notes,
  };
}

/** Starts one relay per target; logs go to `write` (stderr) as readable lines. */
export function runPipes(input: PipeCommandInput, pc: PipeConfig, write: (line: string) => void): RunningPipes {
  const plan = planPipes(input, pc, process.execPath);
  const lines = createLineLog(pc.logLevel, write);
  const main = lines.for('pipe');
  for (const note of plan.notes) main.warn(note);
  const fatal: string[] = [];
  let resolveAll!: (reasons: string[]) => void;
  const allFatal = new Promise<string[]>((r) => (resolveAll = r));
  const pipes = plan.targets.map(({ target, endpoint }) => {
    const log = lines.for(target.name);
    const relay = createPipeRelay({
      endpoint: async () => endpoint,
      display: redactEndpoint(endpoint),
      open: openTransportFor(target, { inheritedEnv: pc.inheritedEnv, log }),
      log,
      timing: pc.timing,
      // A child's stdin: one write at a time (back-pressure); HTTP servers: concurrent requests.
      maxInFlight: target.kind === 'stdio' ? 1 : 32,
      onFatal: (reason) => {
        fatal.push(`${target.name}: ${reason}`);
        if (fatal.length === plan.targets.length) resolveAll(fatal);
      },
    });
    log.info(`piping ${target.kind === 'stdio' ? `${target.command} ${target.args.join(' ')}`.trim() : `${target.kind} ${redactEndpoint(target.url)}`} to ${redactEndpoint(endpoint)}`);
    relay.start();
    return { name: target.name, relay };
  });
  return {
    pipes,
    allFatal,
    async stop() {
      await Promise.all(pipes.map((p) => p.relay.stop()));
    },
  };
}
