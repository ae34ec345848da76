import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import { type Page, decodeCursor, toPage } from '../http/pagination.js';
import type { AuditLog } from '../logs/audit-log.js';
import { type GenerateSecretOptions, generateSecret } from './generate-secret.js';
import type { MasterKeyRing } from './master-keys.js';
import { createSecretAudit } from './secret-audit.js';
import { SYSTEM_CALLER, assertPermitted, authorOf, type SecretCaller } from './secret-caller.js';
import { createSecretDecryptor } from './secret-decryptor.js';
import type { SecretEvents } from './secret-events.js';
import { SECRET_REASON_MAX_LENGTH, type SecretMetadataInput, parseSecretMetadata } from './secret-metadata.js';
import { assertValidSecretName, assertValidSecretValue } from './secret-name.js';
import { createSecretReader, type RevealedSecret } from './secret-reader.js';
import { findSecretReferences, type ResolvedSecret } from './secret-reference.js';
import { type RewrapOptions, type RewrapReport, rewrapSecrets } from './secret-rewrap.js';
import { type SecretDetail, type SecretView, toSecretView, toVersionView } from './secret-view.js';
import { createSecretWriter, type SecretsConfig } from './secret-writer.js';
import type { SecretRow } from './secret.table.js';
import { createSecretsRepository } from './secrets.repository.js';

export interface SecretsServiceDeps {
  db: Kysely<Database>;
  ring: MasterKeyRing;
  audit: AuditLog;
  config: SecretsConfig;
  events: SecretEvents;
  log?: Logger;
  /** The clock (tests move it past an overlap window). */
  now?: () => Date;
}

export interface CreateSecretInput extends SecretMetadataInput {
  name: string;
  value: string;
}

export interface RotateSecretInput {
  /** The new value; when absent one is generated. */
  value?: string | undefined;
  generate?: GenerateSecretOptions | undefined;
  reason: string;
}

export interface ListSecretsQuery {
  limit: number;
  cursor?: string | undefined;
  includeDeleted?: boolean | undefined;
}

/**
 * The secrets domain: versioned, envelope-encrypted values with metadata, rotation and references.
 * Every method takes the caller: principals are checked against the permission matrix here (so MCP
 * tools get the same rules as REST), and every change and every read of a value is audited once,
 * success or failure. Values appear only in `reveal` and `resolve` results.
 */
export function createSecretsService(deps: SecretsServiceDeps) {
  const { db, config, events } = deps;
  const now = deps.now ?? (() => new Date());
  const repo = createSecretsRepository(db);
  const decryptor = createSecretDecryptor({ ring: deps.ring, log: deps.log });
  const writer = createSecretWriter({ db, decryptor, config, now });
  const reader = createSecretReader({ db, decryptor, now });
  const audited = createSecretAudit(deps.audit);

  async function find(name: string, opts: { deleted: 'include' | 'exclude' }): Promise<SecretRow> {
    assertValidSecretName(name);
    const row = await repo.findByName(name);
    if (!row || (opts.deleted === 'exclude' && row.deleted_at !== null)) throw new AppError('not_found', `Secret '${name}' not found`);
    return row;
  }

  async function detail(row: SecretRow): Promise<SecretDetail> {
    const versions = await repo.listVersionMeta(row.id);
    const at = now().toISOString();
    return { ...toSecretView(row, versions.length, config.maxVersions), versions: versions.map((v) => toVersionView(v, row.current_version, at)) };
  }

  function reasonOf(reason: unknown): string {
    const r = typeof reason === 'string' ? reason.trim() : '';
    if (!r || r.length > SECRET_REASON_MAX_LENGTH || /\p{Cc}/u.test(r))
      throw new AppError('validation', `reason: give why, in 1-${SECRET_REASON_MAX_LENGTH} characters on one line`, {
        errors: [{ field: 'reason', message: 'required, one line' }],
      });
    return r;
  }

  const service = {
    events,

    /** Decryption failures since start (wrong or missing master key, tampered rows). */
    cryptoFailures: () => decryptor.failures(),

    async list(query: ListSecretsQuery, caller: SecretCaller): Promise<Page<SecretView>> {
      assertPermitted(caller, 'secrets:read');
      const after = query.cursor === undefined ? undefined : decodeCursor<string>(query.cursor, 'string');
      const includeDeleted = query.includeDeleted ?? false;
      const [rows, total] = await Promise.all([repo.list(query.limit + 1, after, includeDeleted), repo.count(includeDeleted)]);
      return toPage(rows, query.limit, (r) => r.name, (r) => toSecretView(r, r.version_count, config.maxVersions), total);
    },

    /** Metadata and versions (deleted secrets too, so they can be inspected before a restore). */
    async get(name: string, caller: SecretCaller): Promise<SecretDetail> {
      assertPermitted(caller, 'secrets:read');
      return detail(await find(name, { deleted: 'include' }));
    },

    async create(input: CreateSecretInput, caller: SecretCaller): Promise<SecretDetail> {
      return audited(caller, { action: 'secret.create', name: input.name }, async (details) => {
        assertPermitted(caller, 'secrets:write');
        assertValidSecretName(input.name);
        assertValidSecretValue(input.value);
        const row = await writer.create(input.name, input.value, parseSecretMetadata(input), authorOf(caller));
        details['version'] = 1;
        events.emit('secret.created', { name: row.name, version: 1 });
        return detail(row);
      });
    },

    /** A new version with `value`; with `cas`, only if `cas` is still the current version (else 409). */
    async update(name: string, input: { value: string; cas?: number | undefined }, caller: SecretCaller): Promise<SecretDetail> {
      return audited(caller, { action: 'secret.update', name, details: input.cas === undefined ? {} : { cas: input.cas } }, async (details) => {
        assertPermitted(caller, 'secrets:write');
        assertValidSecretName(name);
        assertValidSecretValue(input.value);
        const { row, version } = await writer.addVersion(name, input.value, { cas: input.cas }, authorOf(caller));
        details['version'] = version;
        events.emit('secret.updated', { name, version });
        return detail(row);
      });
    },

    /** Creates the secret, or adds a version if it exists (`mcps secrets set`). */
    async set(name: string, value: string, caller: SecretCaller): Promise<SecretDetail & { created: boolean }> {
      assertValidSecretName(name);
      const existing = await repo.findByName(name);
      // A deleted one goes through create too, which refuses it with "restore it first" (and audits that).
      if (!existing || existing.deleted_at !== null) {
        try {
          return { ...(await service.create({ name, value }, caller)), created: true };
        } catch (err) {
          // Created by someone else meanwhile: fall through to a new version.
          if (!(err instanceof AppError && err.code === 'conflict' && (await repo.findByName(name))?.deleted_at === null)) throw err;
        }
      }
      return { ...(await service.update(name, { value }, caller)), created: false };
    },

    /**
     * A new version (given or generated) recorded as a rotation with its reason. The previous version
     * stays readable for the overlap window (MCPS_SECRET_OVERLAP_HOURS), then is wiped. Users of the
     * secret by reference are told through `secret.rotated`.
     */
    async rotate(name: string, input: RotateSecretInput, caller: SecretCaller): Promise<SecretDetail> {
      return audited(caller, { action: 'secret.rotate', name }, async (details) => {
        assertPermitted(caller, 'secrets:write');
        assertValidSecretName(name);
        const reason = reasonOf(input.reason);
        details['reason'] = reason;
        if (input.value !== undefined && input.generate !== undefined)
          throw new AppError('validation', 'give either value or generate, not both', { errors: [{ field: 'generate', message: 'not with value' }] });
        details['generated'] = input.value === undefined;
        const value = input.value ?? generateSecret(input.generate ?? {});
        assertValidSecretValue(value);
        const { row, version } = await writer.addVersion(name, value, { rotationReason: reason }, authorOf(caller));
        details['version'] = version;
        events.emit('secret.rotated', { name, version, reason });
        return detail(row);
      });
    },

    /** Soft delete: the secret stops resolving and leaves lists; its versions are kept for a restore. */
    async delete(name: string, caller: SecretCaller): Promise<void> {
      return audited(caller, { action: 'secret.delete', name }, async () => {
        assertPermitted(caller, 'secrets:write');
        const row = await find(name, { deleted: 'exclude' });
        const at = now().toISOString();
        await repo.update(row.id, { deleted_at: at, updated_at: at });
        events.emit('secret.deleted', { name: row.name, version: row.current_version });
      });
    },

    async restore(name: string, caller: SecretCaller): Promise<SecretDetail> {
      return audited(caller, { action: 'secret.restore', name }, async () => {
        assertPermitted(caller, 'secrets:write');
        const row = await find(name, { deleted: 'include' });
        if (row.deleted_at === null) throw new AppError('conflict', `Secret '${name}' is not deleted`);
        const at = now().toISOString();
        await repo.update(row.id, { deleted_at: null, updated_at: at });
        events.emit('secret.restored', { name: row.name, version: row.current_version });
        return detail({ ...row, deleted_at: null, updated_at: at });
      });
    },

    /** Wipes one version's ciphertext for good (its metadata stays). The current version cannot be destroyed. */
    async destroyVersion(name: string, version: number, caller: SecretCaller): Promise<void> {
      return audited(caller, { action: 'secret.destroy_version', name, details: { version } }, async () => {
        assertPermitted(caller, 'secrets:write');
        const row = await find(name, { deleted: 'include' });
        if (!(await repo.findVersion(row.id, version))) throw new AppError('not_found', `Secret '${name}' version ${version} not found`);
        if (version === row.current_version)
          throw new AppError('conflict', `Version ${version} is the current version of secret '${name}'; update or rotate it first`);
        await repo.destroyVersions(row.id, [version], now().toISOString());
      });
    },

    /** The value of the latest or a given version. Needs a reason, which is audited with the caller. */
    async reveal(name: string, input: { version?: number | undefined; reason: string }, caller: SecretCaller): Promise<RevealedSecret> {
      return audited(caller, { action: 'secret.reveal', name, details: input.version === undefined ? {} : { version: input.version } }, async (details) => {
        assertPermitted(caller, 'secrets:reveal');
        details['reason'] = reasonOf(input.reason);
        assertValidSecretName(name);
        const revealed = await reader.reveal(name, input.version);
        details['version'] = revealed.version;
        return revealed;
      });
    },

    /**
     * Replaces every `${secret:NAME}` / `${secret:NAME#VERSION}` in `input` (strings, arrays, plain
     * objects) by its value, at the moment of use; never store the result. An unknown secret is an
     * AppError naming it. Also returns the values used, for redacting them from output.
     */
    async resolveTracked<T>(input: T, opts: { caller?: SecretCaller; reason?: string } = {}): Promise<{ value: T; secrets: ResolvedSecret[] }> {
      const caller = opts.caller ?? SYSTEM_CALLER;
      const refs = findSecretReferences(input);
      if (refs.length === 0) return reader.resolve(input);
      const used = [...new Set(refs.map((r) => (r.version === undefined ? r.name : `${r.name}#${r.version}`)))];
      const distinct = new Set(refs.map((r) => r.name));
      const target = distinct.size === 1 ? refs[0]!.name : null;
      return audited(caller, { action: 'secret.resolve', name: target, details: { secrets: used, reason: opts.reason ?? 'reference' } }, async () => {
        assertPermitted(caller, 'secrets:reveal');
        return reader.resolve(input);
      });
    },

    async resolve<T>(input: T, opts: { caller?: SecretCaller; reason?: string } = {}): Promise<T> {
      return (await service.resolveTracked(input, opts)).value;
    },

    /** Re-wraps every data key under the newest master key (`mcps secrets rewrap`); see secret-rewrap.ts. */
    async rewrap(opts: RewrapOptions, caller: SecretCaller): Promise<RewrapReport> {
      return audited(caller, { action: 'secret.rewrap' }, async (details) => {
        assertPermitted(caller, 'secrets:write');
        const report = await rewrapSecrets({ db, decryptor }, opts);
        Object.assign(details, {
          kek_version: report.kek_version,
          rewrapped: report.rewrapped,
          failed: report.failed.map((f) => `${f.name}#${f.version}`),
          remaining: report.remaining,
          aborted: report.aborted,
        });
        return report;
      });
    },
  };
  return service;
}

export type SecretsService = ReturnType<typeof createSecretsService>;
