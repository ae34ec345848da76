import type { Command } from 'commander';
import { localCaller } from '../secrets/secret-caller.js';
import { createProfileBody } from '../storage/storage.schema.js';
import type { CliEnv } from './cli-env.js';

interface Selection {
  prefix?: string;
  from?: string;
  to?: string;
  glob?: string;
  json?: boolean;
}

/**
 * `mcps storage profiles|ls|download`: the log-download tools for people, on this machine's
 * database, audited as `cli:<user>`. A bucket that fails is one error line and a non-zero exit.
 */
export function registerStorageCommands(program: Command, env: CliEnv): void {
  const storage = program.command('storage').description('log files in object storage (COS, S3-compatible)');
  const caller = () => localCaller('cli', env.actor);
  const selection = (c: Command) =>
    c
      .option('--prefix <prefix>', 'under the profile prefix')
      .option('--from <date>', 'keys dated from (YYYY-MM-DD or ISO time)')
      .option('--to <date>', 'keys dated until')
      .option('--glob <glob>', 'glob on the key after the prefix, e.g. "**/*.gz"')
      .option('--json', 'print the result as JSON');

  storage
    .command('profiles')
    .description('list storage profiles')
    .action(async () => {
      env.existingInstallOnly();
      const { items } = await env.withContext((ctx) => ctx.storage.listProfiles(caller()));
      if (items.length === 0) return env.out('no storage profiles');
      env.out(['NAME', 'PROVIDER', 'BUCKET', 'PREFIX', 'DATE PATTERN'].join('\t'));
      for (const p of items) env.out([p.name, p.provider, p.bucket, p.prefix || '-', p.date_pattern ?? '-'].join('\t'));
    });

  registerProfileCommands(storage, env);

  selection(storage.command('ls <profile>').description('list log files by prefix, date range and glob'))
    .option('--limit <n>', 'at most this many keys', '1000')
    .action(async (profile: string, o: Selection & { limit: string }) => {
      env.existingInstallOnly();
      const r = await env.withContext((ctx) => ctx.storage.listObjects(profile, { prefix: o.prefix, from: o.from, to: o.to, glob: o.glob, limit: Number(o.limit) }, caller()));
      if (o.json) return env.out(JSON.stringify(r, null, 2));
      for (const i of r.items) env.out([i.key, i.size, i.last_modified ?? '-'].join('\t'));
      if (r.hint) env.out(r.hint);
    });

  selection(storage.command('download <profile> [keys...]').description('download log files into DATA_DIR/downloads/<profile>'))
    .option('--gunzip', 'store .gz objects decompressed')
    .option('--concurrency <n>', 'files at once', '4')
    .action(async (profile: string, keys: string[], o: Selection & { gunzip?: boolean; concurrency: string }) => {
      env.existingInstallOnly();
      const r = await env.withContext((ctx) =>
        ctx.storage.download(
          { profile, ...(keys.length ? { keys } : {}), prefix: o.prefix, from: o.from, to: o.to, glob: o.glob, gunzip: o.gunzip ?? false, concurrency: Number(o.concurrency), max_files: 10_000 },
          caller(),
        ),
      );
      if (o.json) return env.out(JSON.stringify(r, null, 2));
      for (const f of r.files.filter((x) => x.status === 'failed')) env.out(`failed: ${f.key}: ${f.error}`);
      env.out(`${r.downloaded} downloaded, ${r.skipped} unchanged, ${r.failed} failed, ${r.bytes} bytes into ${r.directory}`);
      if (r.failed > 0) process.exitCode = 1;
    });
}

interface AddOptions {
  provider: string;
  region: string;
  bucket: string;
  endpoint?: string;
  pathStyle?: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  prefix?: string;
  datePattern?: string;
}

/** `mcps storage add|rm`: profiles from the shell; credentials only as `${secret:NAME}` references. */
function registerProfileCommands(storage: Command, env: CliEnv): void {
  const caller = () => localCaller('cli', env.actor);
  storage
    .command('add <name>')
    .description('add a storage profile (credentials as ${secret:NAME} references: mcps secrets set NAME first)')
    .requiredOption('--provider <provider>', 'cos or s3')
    .requiredOption('--region <region>', 'e.g. ap-guangzhou')
    .requiredOption('--bucket <bucket>', 'for COS: name-APPID')
    .option('--endpoint <url>', 's3 only: the endpoint URL')
    .option('--path-style', 's3 only: path-style URLs')
    .requiredOption('--access-key-id <ref>', '${secret:NAME} reference')
    .requiredOption('--secret-access-key <ref>', '${secret:NAME} reference')
    .option('--prefix <prefix>', 'where the logs are in the bucket')
    .option('--date-pattern <pattern>', 'how keys carry their date, e.g. YYYY/MM/DD')
    .action(async (name: string, o: AddOptions) => {
      const parsed = createProfileBody.safeParse({
        name,
        provider: o.provider,
        region: o.region,
        bucket: o.bucket,
        ...(o.endpoint ? { endpoint: o.endpoint } : {}),
        ...(o.pathStyle ? { path_style: true } : {}),
        access_key_id: o.accessKeyId,
        secret_access_key: o.secretAccessKey,
        ...(o.prefix ? { prefix: o.prefix } : {}),
        ...(o.datePattern ? { date_pattern: o.datePattern } : {}),
      });
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new Error(`invalid profile: ${first?.path.join('.') || name}: ${first?.message ?? 'invalid'}`);
      }
      const p = await env.withContext((ctx) => ctx.storage.createProfile(parsed.data, caller()));
      env.out(`added storage profile ${p.name} (${p.provider}, bucket ${p.bucket})`);
    });

  storage
    .command('rm <profile>')
    .description('remove a storage profile (downloaded files stay on disk)')
    .action(async (profile: string) => {
      env.existingInstallOnly();
      await env.withContext((ctx) => ctx.storage.deleteProfile(profile, caller()));
      env.out(`removed storage profile ${profile}`);
    });
}
