import type { AlertView } from './alerts.schema.js';

/**
 * What the routing hands to notifications (src/notify): a group of alerts is due, with the route's
 * receiver and channel names. Delivered at least once: the group's timers are updated only after every
 * listener returned, so a crash in between repeats the notification rather than losing it. A listener
 * should enqueue durably and return quickly; a listener that throws makes the group try again at its
 * next interval.
 */
export interface AlertNotification {
  group_key: string;
  route_id: string;
  receiver: string;
  channels: string[];
  group_labels: Record<string, string>;
  /** firing when any alert still fires, else resolved. */
  status: 'firing' | 'resolved';
  firing: AlertView[];
  /** Alerts notified as firing before that have been resolved since. */
  resolved: AlertView[];
  /** When the routing decided (its clock). */
  at: string;
}

export type AlertNotificationListener = (n: AlertNotification) => void | Promise<void>;

export interface AlertEvents {
  /** Subscribes; returns the unsubscribe function. */
  onNotify(listener: AlertNotificationListener): () => void;
  emitNotify(n: AlertNotification): Promise<void>;
}

export function createAlertEvents(): AlertEvents {
  const listeners = new Set<AlertNotificationListener>();
  return {
    onNotify(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async emitNotify(n) {
      for (const l of listeners) await l(n);
    },
  };
}
