import type { Insertable, Selectable } from 'kysely';

/** A place notifications go. Secrets inside `settings` are `${secret:NAME}` references, resolved at send time. */
export interface NotifyChannelTable {
  id: string;
  /** Unique; how MCP tools and routes name the channel. */
  name: string;
  kind: 'webhook' | 'slack' | 'dingtalk' | 'wecom' | 'feishu' | 'telegram' | 'email';
  /** Language of the rendered message: `en` or `zh-CN`. */
  language: string;
  /** JSON of the kind's settings (see channel-settings.ts). */
  settings: string;
  enabled: number;
  description: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * One message to one channel: the durable queue and the delivery log in one row. `status` moves
 * pending -> sending -> delivered | failed (or back to pending with `next_attempt_at` for a retry);
 * the worker claims a row by a conditional update of `status`, so no row is sent twice.
 */
export interface NotifyDeliveryTable {
  id: string;
  channel_id: string;
  /** JSON of the NotifyMessage. */
  message: string;
  status: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  /** When a `sending` claim expires (a worker that died mid-send); null otherwise. */
  claimed_until: string | null;
  last_error: string | null;
  /** The vendor's error code (DingTalk errcode, Telegram error_code, SMTP response code, HTTP status). */
  last_error_code: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export type NotifyChannelRow = Selectable<NotifyChannelTable>;
export type NewNotifyChannelRow = Insertable<NotifyChannelTable>;
export type NotifyDeliveryRow = Selectable<NotifyDeliveryTable>;
export type NewNotifyDeliveryRow = Insertable<NotifyDeliveryTable>;
