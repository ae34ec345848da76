import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { BackupManifest } from '../backups/backup-format.js';
import { AppError } from '../http/app-error.js';
import type { CliEnv } from './cli-env.js';

/**
 * `mcps backup create|list|verify|restore`. `verify` and `restore` take a backup id (from `list`) or
 * the path of a backup file. Restoring while `mcps serve` runs on the same database is safe (one
 * transaction: the server's queries wait for it), but the running server keeps its managed servers
 * as they were: restart it afterwards.
 */
export function registerBackupCommands(program: Command, env: CliEnv): void {
  const backup = program.command('backup').description('verified backups of the database, and restore');

  backup
    .command('create')
    .description('back up the whole database now (written to BACKUP_DIR, verified)')
    .option('--label <text>', 'a note kept with the backup')
    .action(async (o: { label?: string }) => {
      const m = await env.withContext(async (ctx) => {
        const created = await ctx.backups.service.create({ kind: 'manual', label: o.label ?? null });
        await env.auditIn(ctx, 'backup.create', { type: 'backup', id: created.id }, { kind: 'manual' });
        return created;
      });
      env.out(`created backup ${m.id}: ${m.total_rows} rows, ${m.size_bytes} bytes, schema ${m.schema_version}, sha256 ${m.sha256}`);
      env.out(`file: ${env.config().backupDir}/${m.id}.backup.gz`);
    });

  backup
    .command('list')
    .description('list backups, newest first')
    .action(async () => {
      env.existingInstallOnly();
      const items = await env.withContext((ctx) => ctx.backups.service.list());
      if (items.length === 0) return env.out(`no backups in ${env.config().backupDir}`);
      env.out(['ID', 'KIND', 'CREATED', 'ROWS', 'BYTES', 'SCHEMA', 'FROM', 'LABEL'].join('\t'));
      for (const m of items) env.out(row(m));
    });

  backup
    .command('verify <id-or-file>')
    .description('read a backup back in full: checksums, every line, row counts, and that it fits this database')
    .action(async (ref: string) => {
      const text = await env.withContext(async (ctx) => {
        const s = ctx.backups.service;
        if (s.store.isId(ref) && !existsSync(ref)) {
          const m = await s.verify(ref);
          return `backup ${m.id} is sound: ${m.total_rows} rows, schema ${m.schema_version}, sha256 ${m.sha256}`;
        }
        if (!existsSync(ref)) throw new AppError('not_found', `no backup '${ref}' (neither an id in BACKUP_DIR nor a file)`);
        const v = await s.verifyFile(ref);
        return [`${ref} is sound: ${v.totalRows} rows, schema ${v.header.schema_version}, from ${v.header.source_dialect}, sha256 ${v.sha256}`, ...v.notes.map((n) => `note: ${n}`)].join('\n');
      });
      env.out(text);
    });

  backup
    .command('restore <id-or-file>')
    .description('replace ALL data with the backup\'s (verified first; a safety backup of the current data is taken)')
    .option('--yes', 'confirm: every row of every table is replaced')
    .option('--no-safety-backup', 'skip the backup of the current data')
    .action(async (ref: string, o: { yes?: boolean; safetyBackup: boolean }) => {
      if (!o.yes) throw new AppError('validation', 'restore replaces every row of every table: run again with --yes to confirm');
      const r = await env.withContext(async (ctx) => {
        const s = ctx.backups.service;
        const opts = { safety: o.safetyBackup, notify: false, onStart: () => process.stderr.write('verified; replacing the data (one transaction)\n') };
        const local = s.store.isId(ref) && !existsSync(ref);
        if (!local && !existsSync(ref)) throw new AppError('not_found', `no backup '${ref}' (neither an id in BACKUP_DIR nor a file)`);
        const done = local ? await s.restore(ref, opts) : await s.restoreExternal(ref, opts);
        await env.auditIn(ctx, 'backup.restore', { type: 'backup', id: done.restored.id }, { safety: done.safety?.id ?? null, rows: sum(done.row_counts) });
        return done;
      });
      env.out(`restored backup ${r.restored.id}: ${sum(r.row_counts)} rows`);
      if (r.safety) env.out(`the previous data is in backup ${r.safety.id}`);
      for (const n of r.notes) env.out(`note: ${n}`);
      env.out('if `mcps serve` is running on this database, restart it so its managed servers follow the restored data');
    });
}

function row(m: BackupManifest): string {
  return [m.id, m.kind, m.created_at, m.total_rows, m.size_bytes, m.schema_version ?? '-', m.source_dialect, m.label ?? '-'].join('\t');
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
