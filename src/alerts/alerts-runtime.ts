import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import { createAlertsService } from './alerts.service.js';
import { createInhibitRulesService } from './inhibit-rules.service.js';
import { createReceiverSecrets } from './receiver-secrets.js';
import { createReceiversService } from './receivers.service.js';
import { createSilencesService } from './silences.service.js';
import { createWebhooksService } from './webhooks.service.js';

export interface AlertsRuntimeDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  secrets: Pick<SecretsService, 'resolve'>;
  apiPrefix: string;
  /** The clock of the whole domain (tests move it). */
  now?: () => Date;
}

/** The alerts domain, built once: receivers and webhooks in, the store, silences, inhibition rules. */
export function createAlertsRuntime(deps: AlertsRuntimeDeps) {
  const now = deps.now ?? (() => new Date());
  const audited = createAudited(deps.audit);
  const receivers = createReceiversService({ db: deps.db, audit: deps.audit, apiPrefix: deps.apiPrefix, now });
  const silences = createSilencesService({ db: deps.db, audited, now });
  const rules = createInhibitRulesService({ db: deps.db, audited, now });
  const alerts = createAlertsService({ db: deps.db, audited, silences, rules, now });
  const webhooks = createWebhooksService({
    db: deps.db,
    candidates: (kind, name) => receivers.candidates(kind, name),
    secretsOf: createReceiverSecrets(deps.secrets, () => now().getTime()),
    now,
  });
  return { receivers, silences, rules, alerts, webhooks };
}

export type AlertsRuntime = ReturnType<typeof createAlertsRuntime>;
