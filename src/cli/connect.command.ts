import type { Command } from 'commander';
import { loadConnectConfig } from '../config.js';
import { runStdioBridge } from '../gateway/transport/stdio-bridge.js';
import { AppError } from '../http/app-error.js';

const DEFAULT_URL = 'http://127.0.0.1:8000/mcp';

/** `mcps connect`: a stdio <-> Streamable HTTP bridge to a gateway, for stdio-only MCP clients. */
export function registerConnectCommand(program: Command): void {
  program
    .command('connect')
    .description('speak MCP on stdio and forward to an MCPS.ONE gateway (for Claude Desktop, Cursor, ...)')
    .option('--url <url>', `gateway endpoint (env MCPS_URL; default ${DEFAULT_URL}); /mcp/<server> for one server`)
    .option('--key <key>', 'API key (env MCPS_API_KEY); prefer the environment: arguments show in process lists')
    .action(async (opts: { url?: string; key?: string }) => {
      const env = loadConnectConfig();
      const raw = opts.url ?? env.url ?? DEFAULT_URL;
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new AppError('validation', `--url: '${raw}' is not a URL (expected e.g. ${DEFAULT_URL})`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('validation', `--url: only http and https are supported, not ${url.protocol}`);
      const key = opts.key ?? env.apiKey;
      if (!key) process.stderr.write('mcps connect: no API key (--key or MCPS_API_KEY); the gateway will answer 401\n');
      await runStdioBridge({ url, key, warn: (line) => process.stderr.write(`${line}\n`) });
    });
}
