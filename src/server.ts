import { buildApp } from './app.js';
import type { Config } from './config.js';
import { createContext } from './context.js';
import { trackConnections } from './http/connection-drain.js';
import { startLiveRelay } from './lib/live-relay.js';
import { acquireInstanceLock } from './system/instance-lock.js';

/**
 * Starts the platform: instance lock on DATA_DIR, database (migrated), first admin, HTTP server; stops it
 * gracefully on SIGINT/SIGTERM (stop accepting, finish requests, flush logs, close the database, unlock).
 * Throws InstanceLockedError, touching nothing, when another platform runs on the same data folder.
 */
export async function startServer(config: Readonly<Config>): Promise<{ stop(): Promise<void>; url: string }> {
  const lock = acquireInstanceLock(config.dataDir);
  try {
    const started = await startLocked(config);
    lock.setUrl(localUrl(started.url));
    return { url: started.url, stop: () => started.stop().finally(() => lock.release()) };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** The URL a local client uses: a wildcard listen address is reached on loopback. */
function localUrl(address: string): string {
  return address.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

async function startLocked(config: Readonly<Config>): Promise<{ stop(): Promise<void>; url: string }> {
  const ctx = await createContext(config);
  const { log } = ctx;
  if (config.environment !== 'production' && config.secretKeySource === 'file') {
    log.warn({ lifecycle: true }, 'SECRET_KEY not set: using the key generated in DATA_DIR/secret_key (fine for development; set SECRET_KEY in production)');
  }

  if (config.environment !== 'production' && config.masterKeyRing.source === 'file') {
    log.warn({ lifecycle: true }, 'MCPS_MASTER_KEY not set: secrets are encrypted with the key generated in DATA_DIR/master_key (fine for development; set MCPS_MASTER_KEY in production and keep a copy: losing it loses every secret)');
  }

  const admin = await ctx.users.ensureFirstAdmin(config.adminUsername, config.adminPassword);
  if (admin.created) {
    log.info({ lifecycle: true, username: config.adminUsername }, 'first admin user created');
    if (admin.generatedPassword) printGeneratedPassword(config.adminUsername, admin.generatedPassword);
  }

  // Several instances: the servers of placement 'one' run only where the managed servers lease is held.
  ctx.cluster.arm();
  // Kills what a crashed previous run left behind, then starts auto_start servers (in the background).
  await ctx.servers.boot();
  // Joins the instance registry and takes (or watches) the managed servers lease; its holder starts them.
  await ctx.cluster.start(config.internalUrl ?? internalUrlOf(config));
  // Servers using a secret by reference restart when the CLI or another instance changes it.
  await ctx.secretWatcher.start();
  // Scratch files of an earlier run (gunzip in progress when it stopped); partial downloads stay for resuming.
  await ctx.storage.cleanTemp();
  // Batch jobs: running batches left by an earlier run (stopped or killed) resume where they were.
  await ctx.jobs.start();
  // Metrics sampling, log retention, and following settings changed by other instances.
  ctx.system.start();
  // Enabled publications (mcp_pipe) reconnect to their endpoints, in the background.
  await ctx.pipes.boot();
  // Partial backup files a killed run of this machine left (not those of a backup running elsewhere).
  await ctx.backups.service.cleanStaleTemp().catch((err: unknown) => log.warn({ err }, 'partial backup files could not be removed'));
  // Automatic backups, on the one instance holding their lease.
  ctx.backupsDuty.start();
  // Alert routing and queued notifications (a restart resumes where the last run stopped), on the one
  // instance holding their lease.
  ctx.alertsDuty.start();
  await ctx.monitors.start();
  // With Redis, live log streams hear of rows written on the other instances at once.
  const relay = config.redisUrl ? await startLiveRelay({ live: ctx.live, redisUrl: config.redisUrl, prefix: config.jobs.queuePrefix, instanceId: ctx.instanceId, onError: (err) => log.warn({ err }, 'live events relay (Redis)') }) : null;
  const app = await buildApp(ctx);
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await app.close();
    await relay?.stop();
    await ctx.cluster.stop();
    await ctx.close();
    if (e.code === 'EADDRINUSE') throw new Error(`port ${config.port} on ${config.host} is already in use (set PORT to another port)`, { cause: err });
    throw err;
  }
  // Small responses on keep-alive connections must not wait for Nagle's algorithm.
  app.server.on('connection', (socket) => socket.setNoDelay(true));
  // A connection that never sent a request would otherwise hold the stop until the forced exit.
  const connections = trackConnections(app.server);
  log.info({ lifecycle: true, address, database: ctx.dbDisplay, environment: config.environment }, 'MCPS.ONE started');

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log.info({ lifecycle: true }, 'MCPS.ONE stopping');
      connections.drain();
      await app.close();
      await relay?.stop();
      // Gives the managed servers lease up (a standby takes over at once) and leaves the registry.
      await ctx.cluster.stop();
      // Stops every managed server (whole process groups), then flushes logs and closes the database.
      await ctx.close();
    })();
    return stopping;
  };
  return { stop, url: address };
}

/** Where the other instances reach this one when MCPS_INTERNAL_URL is not set: its listen address. */
function internalUrlOf(config: Readonly<Config>): string {
  return localUrl(`http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`);
}

/** The generated password goes to the terminal only: never to the log file or the database. */
function printGeneratedPassword(username: string, password: string): void {
  const line = '='.repeat(72);
  process.stderr.write(
    `\n${line}\n  FIRST ADMIN CREATED\n  username: ${username}\n  password: ${password}\n\n` +
      `  This password is shown once and never again. Log in and change it\n` +
      `  (PUT /api/v1/auth/me/password), or set MCPS_ADMIN_PASSWORD before the first start.\n${line}\n\n`,
  );
}
