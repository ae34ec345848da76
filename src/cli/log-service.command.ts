import { callerLabel } from '../auth/principal.js';
import type { Command } from 'commander';
import { StdioGuardTransport } from '../lib/stdio-guard-transport.js';
import { buildLogServiceServer, LOG_SERVICE_NAME } from '../logservice/build-server.js';
import { asServerSide, TappedTransport } from '../servers/connection/message-tap.js';
import type { CliEnv } from './cli-env.js';

/**
 * `mcps log-service`: the log-service MCP server on stdin/stdout, for stdio-only MCP clients on the
 * platform's machine. It acts as the API key it is given (same permissions and audit as the REST API),
 * and its traffic goes to the protocol log as server `mcps`. stdout carries only MCP messages; a line
 * that is not one valid message, or longer than MCPS_BODY_LIMIT, is answered with a JSON-RPC error.
 */
export function registerLogServiceCommand(program: Command, env: CliEnv): void {
  program
    .command('log-service')
    .description('serve the log-service MCP tools over stdio, acting as an API key')
    .addOption(
      program.createOption('--key <api-key>', 'the API key to act as (mcps_...)').env('MCPS_API_KEY').makeOptionMandatory(),
    )
    .action(async (o: { key: string }) => {
      env.existingInstallOnly();
      await env.withContext(async (ctx) => {
        const principal = await ctx.auth.authenticateApiKey(o.key);
        const server = buildLogServiceServer(
          { secrets: ctx.secrets, storage: ctx.storage, capture: ctx.capture, notify: ctx.notify, analyzer: ctx.analyzer, jobs: ctx.jobs.service, scopeFor: (p) => ctx.gateway.access.scopeFor(p), onReveal: (s) => ctx.servers.secretValues.remember(s) },
          principal,
        );
        const caller = callerLabel(principal);
        const transport = new TappedTransport(new StdioGuardTransport({ maxMessageBytes: ctx.config.bodyLimit }), (direction, message) =>
          ctx.servers.recorder.record(LOG_SERVICE_NAME, asServerSide(direction), message, { caller }),
        );
        const closed = new Promise<void>((resolve) => {
          transport.onclose = () => resolve();
          process.stdin.once('end', () => resolve());
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await server.connect(transport);
        ctx.log.info({ lifecycle: true, caller }, 'log-service MCP server started on stdio');
        await closed;
        await server.close();
      });
    });
}
