import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import type { SecretEvents } from '../secrets/secret-events.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import { createAlertEvents, type AlertEvents } from './alert-events.js';
import { createAlertGroupsRepository } from './alert-groups.repository.js';
import { loadMuting } from './alert-muting.js';
import { createAlertsService } from './alerts.service.js';
import { createInhibitRulesService } from './inhibit-rules.service.js';
import { createReceiverSecrets } from './receiver-secrets.js';
import { createReceiversService } from './receivers.service.js';
import { createRoutingDispatcher } from './routing-dispatcher.js';
import { createRoutingService } from './routing.service.js';
import { createSilencesService } from './silences.service.js';
import { createWebhooksService } from './webhooks.service.js';

export interface AlertsRuntimeDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  secrets: Pick<SecretsService, 'resolve'>;
  /** Secret changes (this instance's, and other instances' as the change watcher sees them): receivers' cached credentials are dropped. */
  secretEvents?: Pick<SecretEvents, 'on'>;
  apiPrefix: string;
  /** The clock of the whole domain (tests move it). */
  now?: () => Date;
  /** Where notifications go (src/notify subscribes); default: a fresh emitter. */
  events?: AlertEvents;
  onError?: (err: unknown) => void;
}

/**
 * The alerts domain, built once: receivers and webhooks in, the store, silences, inhibition rules, and
 * the routing, which tells `events` listeners (notifications) when a group is due.
 */
export function createAlertsRuntime(deps: AlertsRuntimeDeps) {
  const now = deps.now ?? (() => new Date());
  const audited = createAudited(deps.audit);
  const receivers = createReceiversService({ db: deps.db, audit: deps.audit, apiPrefix: deps.apiPrefix, now });
  const silences = createSilencesService({ db: deps.db, audited, now });
  const rules = createInhibitRulesService({ db: deps.db, audited, now });
  const events = deps.events ?? createAlertEvents();
  const onError = deps.onError ?? (() => {});
  const repo = createAlertGroupsRepository(deps.db);
  const dispatcher = createRoutingDispatcher({ repo, events, loadMuting: () => loadMuting(deps.db, silences, rules), now, onError });
  const routing = createRoutingService({ repo, dispatcher, audited, now, onError });
  const alerts = createAlertsService({ db: deps.db, audited, silences, rules, now, onChanged: () => routing.wake(true) });
  const receiverSecrets = createReceiverSecrets(deps.secrets, () => now().getTime());
  for (const event of ['secret.updated', 'secret.rotated', 'secret.deleted', 'secret.restored', 'secret.created'] as const) deps.secretEvents?.on(event, () => receiverSecrets.clear());
  const webhooks = createWebhooksService({
    db: deps.db,
    candidates: (kind, name, fresh) => receivers.candidates(kind, name, fresh),
    secretsOf: receiverSecrets,
    onIngested: () => routing.wake(),
    onError,
    now,
  });
  // A stop also writes the delivery counts of repeats held in memory (repeat-deliveries.ts).
  const stopRouting = routing.stop;
  routing.stop = async () => {
    await stopRouting();
    await webhooks.flush();
  };
  return { receivers, silences, rules, alerts, webhooks, events, dispatcher, routing };
}

export type AlertsRuntime = ReturnType<typeof createAlertsRuntime>;
