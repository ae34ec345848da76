import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import { assertPermitted, type SecretCaller } from '../secrets/secret-caller.js';
import type { AlertReceiverRow } from './alerts.table.js';
import type { CreateReceiverInput, ReceiverView, UpdateReceiverInput } from './receivers.schema.js';

export interface ReceiversDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  apiPrefix: string;
  now: () => Date;
}

/** Where the signature is when none is named: Grafana's own default header for its webhook HMAC, else X-Signature. */
const defaultSignatureHeader = (kind: string) => (kind === 'grafana' ? 'x-grafana-alerting-signature' : 'x-signature');
const DEFAULT_TOLERANCE = 300;
/** How long the webhook routes' view of the enabled receivers is reused (see `candidates`). */
const CANDIDATES_TTL_MS = 1000;

/** Receivers (webhook senders) and their credentials by reference; admins manage them. */
export function createReceiversService(deps: ReceiversDeps) {
  const audited = createAudited(deps.audit);
  const target = (id: string | null) => ({ type: 'alert_receiver', id });
  /** Enabled receivers by kind, as read at `at` (performance.now()); dropped on any change made here. */
  const enabled = new Map<AlertReceiverRow['kind'], { rows: Promise<AlertReceiverRow[]>; at: number }>();
  const forget = () => enabled.clear();

  function toView(r: AlertReceiverRow): ReceiverView {
    const path = r.kind === 'generic' ? `generic/${r.name}` : `${r.kind}?receiver=${r.name}`;
    return {
      id: r.id, name: r.name, kind: r.kind, token: r.token_ref, hmac_secret: r.hmac_ref, signature_header: r.signature_header,
      timestamp_header: r.timestamp_header, tolerance_seconds: r.tolerance_seconds, mapping: r.mapping ? JSON.parse(r.mapping) : null,
      enabled: r.enabled === 1, description: r.description, url: `${deps.apiPrefix}/webhooks/${path}`, created_at: r.created_at, updated_at: r.updated_at,
    };
  }

  async function find(idOrName: string): Promise<AlertReceiverRow> {
    const row = await deps.db.selectFrom('alert_receivers').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();
    if (!row) throw AppError.notFound('Receiver', idOrName);
    return row;
  }

  function assertValid(r: Pick<AlertReceiverRow, 'kind' | 'token_ref' | 'hmac_ref' | 'mapping'>): void {
    const invalid = (field: string, message: string) => new AppError('validation', `${field}: ${message}`, { errors: [{ field, message }] });
    if (!r.token_ref && !r.hmac_ref) throw invalid('token', 'a receiver needs a token, an hmac_secret, or both');
    if (r.kind === 'generic' && !r.mapping) throw invalid('mapping', 'a generic receiver needs a mapping');
    if (r.kind !== 'generic' && r.mapping) throw invalid('mapping', 'only generic receivers take a mapping');
  }

  return {
    find,
    toView,

    /**
     * Enabled receivers of a kind (optionally one by name), for the webhook routes. Read at most once
     * a second per kind (a query per post was a twentieth of a post's CPU): a change made on this
     * instance applies at once, one made on another instance within a second. `fresh` reads them now.
     */
    async candidates(kind: AlertReceiverRow['kind'], name?: string, fresh = false): Promise<AlertReceiverRow[]> {
      const nowMs = performance.now();
      let hit = enabled.get(kind);
      if (!hit || fresh || nowMs - hit.at >= CANDIDATES_TTL_MS) {
        hit = { rows: deps.db.selectFrom('alert_receivers').selectAll().where('kind', '=', kind).where('enabled', '=', 1).orderBy('created_at').execute(), at: nowMs };
        enabled.set(kind, hit);
        hit.rows.catch(() => enabled.get(kind) === hit && enabled.delete(kind));
      }
      const rows = await hit.rows;
      return name ? rows.filter((r) => r.name === name) : rows;
    },

    /** Drops the receivers read for the webhook routes (a restore). */
    forget,

    async list(caller: SecretCaller): Promise<{ items: ReceiverView[] }> {
      assertPermitted(caller, 'alerts:read');
      const rows = await deps.db.selectFrom('alert_receivers').selectAll().orderBy('name').execute();
      return { items: rows.map(toView) };
    },

    async get(id: string, caller: SecretCaller): Promise<ReceiverView> {
      assertPermitted(caller, 'alerts:read');
      return toView(await find(id));
    },

    async create(input: CreateReceiverInput, caller: SecretCaller): Promise<ReceiverView> {
      return audited(caller, { action: 'alert.receiver.create', target: target(input.name) }, async () => {
        assertPermitted(caller, 'alerts:manage');
        const exists = await deps.db.selectFrom('alert_receivers').select('id').where('name', '=', input.name).executeTakeFirst();
        if (exists) throw new AppError('conflict', `receiver '${input.name}' already exists`);
        const now = deps.now().toISOString();
        const row: AlertReceiverRow = {
          id: newId(), name: input.name, kind: input.kind, token_ref: input.token ?? null, hmac_ref: input.hmac_secret ?? null,
          signature_header: (input.signature_header ?? defaultSignatureHeader(input.kind)).toLowerCase(), timestamp_header: input.timestamp_header?.toLowerCase() ?? null,
          tolerance_seconds: input.tolerance_seconds ?? DEFAULT_TOLERANCE, mapping: input.mapping ? JSON.stringify(input.mapping) : null,
          enabled: input.enabled === false ? 0 : 1, description: input.description ?? null, created_at: now, updated_at: now,
        };
        assertValid(row);
        await deps.db.insertInto('alert_receivers').values(row).execute();
        forget();
        return toView(row);
      });
    },

    async update(id: string, input: UpdateReceiverInput, caller: SecretCaller): Promise<ReceiverView> {
      return audited(caller, { action: 'alert.receiver.update', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:manage');
        const row = await find(id);
        const next: AlertReceiverRow = {
          ...row,
          ...(input.token !== undefined ? { token_ref: input.token } : {}),
          ...(input.hmac_secret !== undefined ? { hmac_ref: input.hmac_secret } : {}),
          ...(input.signature_header !== undefined ? { signature_header: input.signature_header.toLowerCase() } : {}),
          ...(input.timestamp_header !== undefined ? { timestamp_header: input.timestamp_header?.toLowerCase() ?? null } : {}),
          ...(input.tolerance_seconds !== undefined ? { tolerance_seconds: input.tolerance_seconds } : {}),
          ...(input.mapping !== undefined ? { mapping: input.mapping ? JSON.stringify(input.mapping) : null } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          updated_at: deps.now().toISOString(),
        };
        assertValid(next);
        await deps.db.updateTable('alert_receivers').set(next).where('id', '=', row.id).execute();
        forget();
        return toView(next);
      });
    },

    async remove(id: string, caller: SecretCaller): Promise<void> {
      await audited(caller, { action: 'alert.receiver.delete', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:manage');
        const row = await find(id);
        await deps.db.deleteFrom('alert_receivers').where('id', '=', row.id).execute();
        forget();
      });
    },
  };
}

export type ReceiversService = ReturnType<typeof createReceiversService>;
