import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import type { IngestResult } from './alert-ingest.js';
import type { AlertReceiverRow } from './alerts.table.js';
import { genericMapping, mapGenericBody } from './generic-mapping.js';
import { createIngestBatcher } from './ingest-batcher.js';
import type { ReceiverSecrets, WebhookCredentials } from './webhook-auth.js';
import { verifyWebhook } from './webhook-auth.js';
import { normalizeAlerts } from './webhook-normalize.js';
import { alertmanagerPayload, grafanaPayload, type IncomingAlert } from './webhook-payloads.js';

export interface WebhooksDeps {
  db: Kysely<Database>;
  /** Enabled receivers of a kind (may be up to a second old unless `fresh`). */
  candidates(kind: AlertReceiverRow['kind'], name?: string, fresh?: boolean): Promise<AlertReceiverRow[]>;
  secretsOf(r: AlertReceiverRow): Promise<ReceiverSecrets>;
  /** Called after a commit that changed anything (the routing wakes up). */
  onIngested?: () => void;
  /** Held repeat counts could not be written (they are kept and tried again). */
  onError?: (err: unknown) => void;
  now: () => Date;
}

/**
 * The receiving side of webhooks: which receiver a request proves to be (401 otherwise, before the
 * body is even read), then its alerts in the store, committed before the answer (bodies arriving
 * together share one transaction: ingest-batcher.ts).
 */
export function createWebhooksService(deps: WebhooksDeps) {
  const batcher = createIngestBatcher(deps.db, { onError: deps.onError });
  async function authenticate(kind: AlertReceiverRow['kind'], name: string | undefined, creds: WebhookCredentials): Promise<AlertReceiverRow> {
    const nowMs = deps.now().getTime();
    let reason = name ? `no enabled ${kind} receiver '${name}'` : `no enabled ${kind} receiver`;
    // A 401 is final for a sender (Alertmanager does not retry it): before refusing, the receivers are
    // read again, so one created or changed on another instance a moment ago is never refused.
    for (const fresh of [false, true]) {
      for (const r of await deps.candidates(kind, name, fresh)) {
        const outcome = verifyWebhook(r, await deps.secretsOf(r), creds, nowMs);
        if (outcome.ok) return r;
        reason = outcome.reason;
      }
    }
    throw new AppError('unauthorized', `webhook authentication failed: ${reason}`);
  }

  function alertsOf(receiver: AlertReceiverRow, body: unknown, validated: boolean): IncomingAlert[] {
    if (receiver.kind === 'generic') return mapGenericBody(body, genericMapping.parse(JSON.parse(receiver.mapping ?? 'null')));
    const schema = receiver.kind === 'grafana' ? grafanaPayload : alertmanagerPayload;
    return normalizeAlerts(validated ? (body as z.infer<typeof schema>).alerts : parseOrThrow(schema, body).alerts);
  }

  return {
    authenticate,

    /**
     * `validated`: the body has passed the receiver kind's payload schema already (the routes declare
     * it, and Fastify checked it): it is not checked a second time (50 alerts cost a tenth of a post).
     */
    async ingest(receiver: AlertReceiverRow, body: unknown, validated = false): Promise<IngestResult & { receiver: string }> {
      const alerts = alertsOf(receiver, body, validated);
      const result = await batcher.ingest({ receiver, alerts, now: deps.now().toISOString() });
      if (result.stored + result.resolved > 0) deps.onIngested?.();
      return { receiver: receiver.name, ...result };
    },

    /** Writes the delivery counts of repeats held in memory (a stop, tests). */
    flush: () => batcher.flush(),
  };
}

function parseOrThrow<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.join('.') || 'body', message: i.message }));
  throw new AppError('validation', `body: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
