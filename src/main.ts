#!/usr/bin/env node
import { Command } from 'commander';
import { registerBackupCommands } from './cli/backup.command.js';
import { createCliEnv } from './cli/cli-env.js';
import { registerConnectCommand } from './cli/connect.command.js';
import { registerDbCommands } from './cli/db.command.js';
import { registerLogServiceCommand } from './cli/log-service.command.js';
import { registerJobsCommands } from './cli/jobs.command.js';
import { registerLogsCommands } from './cli/logs.command.js';
import { registerPipeCommand } from './cli/pipe.command.js';
import { registerSecretsCommands } from './cli/secrets.command.js';
import { registerStorageCommands } from './cli/storage.command.js';
import { registerStatusCommand } from './cli/status.command.js';
import { registerHealthCommand } from './cli/health.command.js';
import { registerStopCommand } from './cli/stop.command.js';
import { registerUserCommands } from './cli/user.command.js';
import { ConfigError } from './config.js';
import { AppError } from './http/app-error.js';
import { InstanceLockedError } from './system/instance-lock.js';
import { VERSION } from './version.js';

const env = createCliEnv();
const program = new Command()
  .name('mcps')
  .description('MCPS.ONE: run and manage MCP servers')
  .version(VERSION)
  // Program options only before the subcommand, so `mcps secrets get X --version 2` reaches the subcommand.
  .enablePositionalOptions()
  .showHelpAfterError();

program
  .command('serve')
  .description('start the platform (API, docs, UI) and the managed servers')
  .action(async () => {
    // Handlers go in before start-up, so a signal that arrives while starting still stops cleanly.
    const state: { server?: Awaited<ReturnType<typeof import('./server.js').startServer>>; signalled?: string } = {};
    const shutdown = (signal: string) => {
      state.signalled = signal;
      const server = state.server;
      if (!server) return; // start-up finishes, then stops (below)
      process.stderr.write(`received ${signal}, stopping\n`);
      // A stop that hangs ends the process anyway.
      setTimeout(() => process.exit(1), 30_000).unref();
      server.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`mcps: error while stopping: ${(err as Error).message}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    // Start-up awaiting only unref'd timers would let the event loop empty and Node exit 0 unseen by a
    // service manager; exit non-zero instead.
    const stalled = () => {
      process.stderr.write('mcps: start-up stopped before listening (nothing left to wait for)\n');
      process.exit(70);
    };
    process.once('beforeExit', stalled);
    // Loaded here: the other commands need none of the HTTP layer.
    const { startServer } = await import('./server.js');
    state.server = await startServer(env.config());
    process.off('beforeExit', stalled);
    if (state.signalled) shutdown(state.signalled);
  });

registerDbCommands(program, env);
registerUserCommands(program, env);
registerSecretsCommands(program, env);
registerStorageCommands(program, env);
registerJobsCommands(program, env);
registerLogServiceCommand(program, env);
registerLogsCommands(program);
registerPipeCommand(program);
registerBackupCommands(program, env);
registerConnectCommand(program);
registerStatusCommand(program, env);
registerHealthCommand(program, env);
registerStopCommand(program, env);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Expected failures (bad config, bad input) are one line; anything else also gets its stack in debug.
  const known = err instanceof ConfigError || err instanceof AppError || err instanceof InstanceLockedError;
  process.stderr.write(`mcps: ${(err as Error).message ?? String(err)}\n`);
  if (!known && process.env['DEBUG'] === 'true') process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
