import type { AlertEvents, AlertNotification } from '../alerts/alert-events.js';
import type { AlertView } from '../alerts/alerts.schema.js';
import { AppError } from '../http/app-error.js';
import { SYSTEM_CALLER } from '../secrets/secret-caller.js';
import { type AlertForMessage, renderAlertGroupMessage } from './alert-group-message.js';
import type { NotifyService } from './notify.service.js';

interface Log {
  warn(obj: object, msg: string): void;
}

function forMessage(a: AlertView, status: 'firing' | 'resolved'): AlertForMessage {
  return { labels: a.labels, annotations: a.annotations, status, startsAt: a.starts_at, endsAt: a.ends_at, generatorURL: a.generator_url };
}

/**
 * Queues one message per channel of the route, in that channel's language. A channel that is gone
 * or disabled is skipped with a warning (one bad name must not hold the others back for ever); any
 * other failure throws, so the routing tries the group again (at least once).
 */
export async function notifyGroup(notify: NotifyService, n: AlertNotification, log: Log): Promise<void> {
  const alerts = [...n.firing.map((a) => forMessage(a, 'firing')), ...n.resolved.map((a) => forMessage(a, 'resolved'))];
  for (const name of n.channels) {
    try {
      const channel = await notify.getChannel(name, SYSTEM_CALLER);
      const message = renderAlertGroupMessage({ groupLabels: n.group_labels, alerts }, channel.language);
      await notify.send(channel.id, message, SYSTEM_CALLER);
    } catch (err) {
      if (!(err instanceof AppError) || !['not_found', 'conflict'].includes(err.code)) throw err;
      log.warn({ channel: name, group: n.group_key, err: err.message }, 'alert notification skipped: channel missing or disabled');
    }
  }
}

/** The routing's "this group is due" becomes queued notifications on the route's channels. */
export function routeAlertsToNotify(events: AlertEvents, notify: NotifyService, log: Log): () => void {
  return events.onNotify((n) => notifyGroup(notify, n, log));
}
