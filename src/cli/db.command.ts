import type { Command } from 'commander';
import { connect } from '../db/connect.js';
import { migrateToLatest, migrationStatus, rollbackOne } from '../db/migrator.js';
import type { CliEnv } from './cli-env.js';

/** `mcps db migrate|rollback|status` (Alembic's upgrade head / downgrade -1 / history). */
export function registerDbCommands(program: Command, env: CliEnv): void {
  const db = program.command('db').description('database schema migrations');

  const withDb = async <T>(fn: (h: ReturnType<typeof connect>) => Promise<T>): Promise<T> => {
    const h = connect(env.config().databaseUrl);
    try {
      return await fn(h);
    } finally {
      await h.close();
    }
  };

  db.command('migrate')
    .description('apply every pending migration')
    .action(() =>
      withDb(async (h) => {
        const applied = await migrateToLatest(h.db);
        env.out(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
        await env.audit('db.migrate', { type: 'database', id: applied.at(-1) ?? null }, { applied });
      }),
    );

  db.command('rollback')
    .description('revert the last applied migration')
    .action(() =>
      withDb(async (h) => {
        const reverted = await rollbackOne(h.db);
        env.out(reverted.length ? `reverted: ${reverted.join(', ')}` : 'nothing to roll back');
        if (reverted.length) await env.audit('db.rollback', { type: 'database', id: reverted.at(-1) ?? null }, { reverted });
      }),
    );

  db.command('status')
    .description('list migrations, applied and pending')
    .action(() => {
      env.existingInstallOnly();
      return withDb(async (h) => {
        env.out(`database: ${h.display}`);
        for (const m of await migrationStatus(h.db)) {
          env.out(`${m.applied ? 'applied' : 'pending'}  ${m.name}${m.executedAt ? `  (${m.executedAt})` : ''}`);
        }
      });
    });
}
