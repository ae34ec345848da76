import type { Command } from 'commander';
import { z } from 'zod';
import { newPasswordSchema, roleSchema, usernameSchema } from '../auth/auth.schema.js';
import { AppError } from '../http/app-error.js';
import type { CliEnv } from './cli-env.js';
import { readSecret } from './read-secret.js';

async function passwordFrom(option: string | undefined): Promise<string> {
  const pw = option ?? (await readSecret('Password: '));
  const parsed = newPasswordSchema.safeParse(pw);
  if (!parsed.success) throw new AppError('validation', `password ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return pw;
}

/** `mcps user create` and `mcps user reset-password`. */
export function registerUserCommands(program: Command, env: CliEnv): void {
  const user = program.command('user').description('manage users');

  user
    .command('create')
    .description('create a user (password from --password, or prompted / read from stdin)')
    .requiredOption('--username <username>', 'login name')
    .option('--role <role>', 'admin | operator | viewer', 'viewer')
    .option('--password <password>', 'password (prefer the prompt or stdin: arguments show in `ps`)')
    .action(async (o: { username: string; role: string; password?: string }) => {
      const username = parse(usernameSchema, o.username, 'username');
      const role = parse(roleSchema, o.role, 'role');
      const password = await passwordFrom(o.password);
      const created = await env.withContext(async (ctx) => {
        const u = await ctx.users.create({ username, password, role });
        await ctx.audit.record({ actor: { type: 'cli', name: env.actor }, action: 'user.create', target: { type: 'user', id: u.id }, outcome: 'success' });
        return u;
      });
      env.out(`created user ${created.username} (${created.role}) id=${created.id}`);
    });

  user
    .command('reset-password <username>')
    .description('set a new password for a user (prompted or read from stdin)')
    .option('--password <password>', 'new password (prefer the prompt or stdin)')
    .action(async (username: string, o: { password?: string }) => {
      const password = await passwordFrom(o.password);
      await env.withContext(async (ctx) => {
        const u = await ctx.users.update(username, { password });
        await ctx.audit.record({ actor: { type: 'cli', name: env.actor }, action: 'user.reset_password', target: { type: 'user', id: u.id }, outcome: 'success' });
      });
      env.out(`password reset for ${username}; existing sessions of that user are ended`);
    });

  // Break glass: when single sign-on fails with password sign-in turned off, whoever runs the host turns it back on.
  user
    .command('local-passwords <on|off>')
    .description('turn the password sign-in on or off (the auth.local_passwords setting); the break-glass path when single sign-on fails')
    .action(async (state: string) => {
      if (state !== 'on' && state !== 'off') throw new AppError('validation', "expected 'on' or 'off'");
      await env.withContext((ctx) => ctx.system.settings.update({ 'auth.local_passwords': state === 'on' }, { actor: { type: 'cli', name: env.actor } }));
      env.out(`password sign-in is ${state === 'on' ? 'on' : 'off'}${state === 'on' ? '' : ' (sign in with single sign-on; undo with `mcps user local-passwords on`)'}`);
    });
}

function parse<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('validation', `${name}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}
