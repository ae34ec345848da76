import { type DialectAdapter, SqliteAdapter, SqliteDialect } from 'kysely';

/**
 * SQLite runs DDL inside transactions, but Kysely's SQLite adapter says it does not, so its migrator
 * ran each migration unlocked, statement by statement: two processes migrating one file at once (two
 * instances started together, `mcps db migrate` beside `mcps serve`) both found a migration pending and
 * the second failed half-way ("table ... already exists"). Saying it does makes the migrator run its
 * whole pass in one transaction, which connect.ts opens with `begin immediate`: the second process
 * waits for the write lock, then reads the migrations the first applied and has nothing left to do.
 * The migrator is the only reader of this flag.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
