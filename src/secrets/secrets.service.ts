import { AppError } from '../http/app-error.js';
import { type Page, decodeCursor, toPage } from '../http/pagination.js';
import { type GenerateSecretOptions, generateSecret } from './generate-secret.js';
import { assertPermitted, authorOf, type SecretCaller } from './secret-caller.js';
import { type SecretMetadataInput, parseSecretMetadata, parseSecretReason } from './secret-metadata.js';
import { assertValidSecretName, assertValidSecretValue } from './secret-name.js';
import { createSecretRemoval } from './secret-removal.js';
import { type RewrapOptions, type RewrapReport, rewrapSecrets } from './secret-rewrap.js';
import { createSecretValues } from './secret-values.js';
import { type SecretDetail, type SecretView, toSecretView } from './secret-view.js';
import { createSecretsContext, type SecretsServiceDeps } from './secrets-context.js';

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
  const ctx = createSecretsContext(deps);
  const { db, config, events, repo, writer, decryptor, audited, detail } = ctx;

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
      return detail(await ctx.find(name, { deleted: 'include' }));
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
        const reason = parseSecretReason(input.reason);
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

    ...createSecretRemoval(ctx),
    ...createSecretValues(ctx),

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
