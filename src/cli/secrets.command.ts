import type { Command } from 'commander';
import { AppError } from '../http/app-error.js';
import { SECRET_ALPHABETS } from '../secrets/generate-secret.js';
import { localCaller } from '../secrets/secret-caller.js';
import type { CliEnv } from './cli-env.js';
import { readSecretValue } from './read-secret-value.js';

/**
 * `mcps secrets set|get|list|rotate|rewrap`. Values come from stdin (never from arguments, which show
 * in `ps` and shell history) and go to stdout only for `get`. Every action is audited as `cli:<user>`.
 */
export function registerSecretsCommands(program: Command, env: CliEnv): void {
  const secrets = program.command('secrets').description('encrypted, versioned secrets');
  const caller = () => localCaller('cli', env.actor);

  secrets
    .command('set <name>')
    .description('create a secret, or store a new version of it; the value is read from stdin')
    .action(async (name: string) => {
      const value = await readSecretValue('Value: ');
      const s = await env.withContext((ctx) => ctx.secrets.set(name, value, caller()));
      env.out(s.created ? `created secret ${s.name} (version 1)` : `stored version ${s.current_version} of secret ${s.name}`);
    });

  secrets
    .command('get <name>')
    .description('print a value (audited, with the reason)')
    .option('--version <n>', 'a given version (default: the current one)')
    .option('--reason <text>', 'why you read it (recorded in the operation log)', 'read with mcps secrets get')
    .action(async (name: string, o: { version?: string; reason: string }) => {
      const version = o.version === undefined ? undefined : positiveInt(o.version, '--version');
      env.existingInstallOnly();
      const r = await env.withContext((ctx) => ctx.secrets.reveal(name, { version, reason: o.reason }, caller()));
      // Exactly the value when piped (`mcps secrets get X > file`); a newline on a terminal.
      process.stdout.write(process.stdout.isTTY ? `${r.value}\n` : r.value);
    });

  secrets
    .command('list')
    .description('list secrets (metadata only)')
    .option('--deleted', 'include soft-deleted secrets')
    .action(async (o: { deleted?: boolean }) => {
      env.existingInstallOnly();
      const items = await env.withContext(async (ctx) => {
        const all = [];
        let cursor: string | undefined;
        do {
          const page = await ctx.secrets.list({ limit: 500, cursor, includeDeleted: o.deleted ?? false }, caller());
          all.push(...page.items);
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        return all;
      });
      if (items.length === 0) return env.out('no secrets');
      env.out(['NAME', 'VERSION', 'UPDATED', 'LAST USED', 'TAGS'].join('\t'));
      for (const s of items) {
        const name = s.deleted_at ? `${s.name} (deleted)` : s.name;
        env.out([name, s.current_version, s.updated_at, s.last_used_at ?? '-', s.tags.join(',') || '-'].join('\t'));
      }
    });

  secrets
    .command('rotate <name>')
    .description('store a new value (from stdin, or generated with --generate); the previous one stays readable for the overlap window')
    .option('--generate', 'generate the new value instead of reading stdin')
    .option('--length <n>', 'length of a generated value', '32')
    .option('--alphabet <name>', `alphabet of a generated value: ${Object.keys(SECRET_ALPHABETS).join(', ')}`, 'alphanumeric')
    .option('--reason <text>', 'why (recorded)', 'rotated with mcps secrets rotate')
    .action(async (name: string, o: { generate?: boolean; length: string; alphabet: string; reason: string }) => {
      let value: string | undefined;
      if (o.generate) {
        if (!(o.alphabet in SECRET_ALPHABETS)) throw new AppError('validation', `--alphabet must be one of ${Object.keys(SECRET_ALPHABETS).join(', ')}`);
      } else {
        value = await readSecretValue('New value: ');
        if (value === '') throw new AppError('validation', 'no value on stdin: pipe the new value, or pass --generate');
      }
      const generate = o.generate ? { length: positiveInt(o.length, '--length'), alphabet: SECRET_ALPHABETS[o.alphabet as keyof typeof SECRET_ALPHABETS] } : undefined;
      const s = await env.withContext((ctx) => ctx.secrets.rotate(name, { value, generate, reason: o.reason }, caller()));
      const previous = s.versions.find((v) => v.version === s.current_version - 1);
      const until = previous?.state === 'readable' && previous.expires_at ? `; version ${previous.version} stays readable until ${previous.expires_at}` : '';
      env.out(`rotated secret ${s.name} to version ${s.current_version}${until}`);
    });

  secrets
    .command('rewrap')
    .description('re-wrap every data key under the newest master key (resumable; Ctrl-C stops between batches)')
    .option('--batch-size <n>', 'versions per transaction', '100')
    .action(async (o: { batchSize: string }) => {
      const batchSize = positiveInt(o.batchSize, '--batch-size');
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      try {
        const r = await env.withContext((ctx) => ctx.secrets.rewrap({ batchSize, signal: stop.signal }, caller()));
        env.out(`re-wrapped ${r.rewrapped} version(s) under master key ${r.kek_version}; ${r.remaining} still under an older key`);
        for (const f of r.failed) env.out(`failed: ${f.name} version ${f.version}: ${f.message}`);
        if (r.aborted) throw new AppError('unavailable', 'interrupted; run `mcps secrets rewrap` again to continue');
        if (r.failed.length > 0) throw new AppError('internal', `${r.failed.length} version(s) could not be re-wrapped (listed above); add their master key to MCPS_MASTER_KEYS and run again`);
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}

function positiveInt(text: string, option: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new AppError('validation', `${option} must be a positive whole number`);
  return Number(text);
}
