import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createSecretAudit } from './secret-audit.js';
import { createSecretDecryptor } from './secret-decryptor.js';
import type { SecretEvents } from './secret-events.js';
import type { MasterKeyRing } from './master-keys.js';
import { assertValidSecretName } from './secret-name.js';
import { createSecretReader } from './secret-reader.js';
import { type SecretDetail, toSecretView, toVersionView } from './secret-view.js';
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

/** What the secrets operations share: storage, crypto, audit, events, and looking a secret up. */
export function createSecretsContext(deps: SecretsServiceDeps) {
  const { db, config } = deps;
  const now = deps.now ?? (() => new Date());
  const repo = createSecretsRepository(db);
  const decryptor = createSecretDecryptor({ ring: deps.ring, log: deps.log });

  /** The secret by name (a deleted one only with `include`); not_found otherwise. */
  async function find(name: string, opts: { deleted: 'include' | 'exclude' }): Promise<SecretRow> {
    assertValidSecretName(name);
    const row = await repo.findByName(name);
    if (!row || (opts.deleted === 'exclude' && row.deleted_at !== null)) throw new AppError('not_found', `Secret '${name}' not found`);
    return row;
  }

  /** The secret's metadata with its versions, as answered. */
  async function detail(row: SecretRow): Promise<SecretDetail> {
    const versions = await repo.listVersionMeta(row.id);
    const at = now().toISOString();
    return { ...toSecretView(row, versions.length, config.maxVersions), versions: versions.map((v) => toVersionView(v, row.current_version, at)) };
  }

  return {
    db,
    config,
    events: deps.events,
    now,
    repo,
    decryptor,
    writer: createSecretWriter({ db, decryptor, config, now }),
    reader: createSecretReader({ db, decryptor, now }),
    audited: createSecretAudit(deps.audit),
    find,
    detail,
  };
}

export type SecretsContext = ReturnType<typeof createSecretsContext>;
