import type { Command } from 'commander';
import { loadPipeConfig } from '../config.js';
import { AppError } from '../http/app-error.js';
import { runPipes } from '../pipe/pipe-runner.js';

/**
 * `mcps pipe [target] [args...]`: the mcp_pipe.py of the xiaozhi-esp32 ecosystem, with the same
 * inputs (MCP_ENDPOINT, MCP_CONFIG or ./mcp_config.json, .env). Runs until SIGINT/SIGTERM; exits 1
 * when the input is unusable or when every pipe was refused by its endpoint.
 */
export function registerPipeCommand(program: Command): void {
  program
    .command('pipe')
    .description('relay MCP servers to a remote WebSocket endpoint (MCP_ENDPOINT), reconnecting as needed')
    .argument('[target]', 'a server name from the config file, or a script to run (server.py, server.js)')
    .argument('[args...]', 'arguments for the script')
    .option('-e, --endpoint <url>', 'WebSocket endpoint, wss://host/path?token=... (default: MCP_ENDPOINT)')
    .option('-c, --config <file>', 'mcpServers JSON file (default: MCP_CONFIG, else ./mcp_config.json)')
    // Options after the script are the script's own: `mcps pipe -e URL server.py --port 1`.
    .passThroughOptions()
    .action(async (target: string | undefined, args: string[], options: { endpoint?: string; config?: string }) => {
      const pc = loadPipeConfig();
      const running = runPipes({ target, args, endpoint: options.endpoint, config: options.config, cwd: process.cwd() }, pc, (line) => process.stderr.write(line));
      // The relays' timers are unref'd (they must not hold the platform open); here the pipe is the
      // whole process, so it stays up between reconnect attempts.
      const keepProcess = setInterval(() => {}, 1 << 30);
      await new Promise<void>((resolve, reject) => {
        let stopping = false;
        const shutdown = (signal: string) => {
          if (stopping) return;
          stopping = true;
          process.stderr.write(`received ${signal}, closing the connections and stopping the servers\n`);
          setTimeout(() => process.exit(1), 30_000).unref();
          running.stop().then(resolve, reject);
        };
        process.once('SIGINT', () => shutdown('SIGINT'));
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        void running.allFatal.then(async (reasons) => {
          if (stopping) return;
          stopping = true;
          await running.stop();
          reject(new AppError('unavailable', `every pipe was refused by its endpoint (${reasons.join('; ')})`));
        });
      }).finally(() => clearInterval(keepProcess));
    });
}
