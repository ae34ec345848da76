import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import type { OutboundGuard } from '../lib/outbound-guard.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import { assertPermitted, authorOf, type SecretCaller } from '../secrets/secret-caller.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import { createDeliveryWorker, type DeliveryWorkerDeps } from './delivery-worker.js';
import { newChannelRow, toChannelView, updatedChannelRow } from './notify-channels.js';
import { type NotifyMessage, notifyMessage } from './notify-message.js';
import type { ChannelView, CreateChannelInput, DeliveryQueryInput, DeliveryView, UpdateChannelInput } from './notify.schema.js';
import { createNotifyRepository } from './notify.repository.js';
import type { NotifyChannelRow, NotifyDeliveryRow } from './notify.table.js';

export type NotifyCaller = SecretCaller;

export interface NotifyServiceDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  guard: Pick<OutboundGuard, 'check' | 'fetch' | 'lookup'>;
  /** Resolves the channels' `${secret:NAME}` settings at send time. */
  secrets: Pick<SecretsService, 'resolve'>;
  now?: () => Date;
  log?: DeliveryWorkerDeps['log'];
  worker?: Partial<Pick<DeliveryWorkerDeps, 'timeoutMs' | 'maxAttempts' | 'backoffMs' | 'limiter'>>;
}

function toDeliveryView(row: NotifyDeliveryRow): DeliveryView {
  const msg = JSON.parse(row.message) as NotifyMessage;
  const { message: _m, claimed_until: _c, updated_at: _u, ...rest } = row;
  return { ...rest, title: msg.title, severity: msg.severity };
}

/**
 * Notifications: channels (CRUD, settings with secrets by reference) and the durable delivery queue.
 *
 * `send(channel, message, caller)` — the API the alerts routing calls for "notify this group",
 * as `send(channelId, renderAlertGroupMessage(group, language), SYSTEM_CALLER)` (alert-group-message.ts;
 * SYSTEM_CALLER from secrets/secret-caller.ts): validates the message
 * `{title, text, severity, fields?, url?, language?}`, stores one pending delivery for the channel
 * (id or name) and wakes the worker; it returns at once with the delivery id. The worker (`worker.start()`)
 * sends with retries and rate limits; `listDeliveries` is the log. Permissions are checked here
 * (notify:read / notify:manage / notify:send), mutations audited once.
 */
export function createNotifyService(deps: NotifyServiceDeps) {
  const repo = createNotifyRepository(deps.db);
  const audited = createAudited(deps.audit);
  const clock = deps.now ?? (() => new Date());
  const now = () => clock().toISOString();
  const worker = createDeliveryWorker({ repo, guard: deps.guard, secrets: deps.secrets, now: clock, ...(deps.log ? { log: deps.log } : {}), ...deps.worker });
  const target = (id: string | null) => ({ type: 'notify_channel', id });

  async function find(idOrName: string): Promise<NotifyChannelRow> {
    const row = await repo.findChannel(idOrName);
    if (!row) throw AppError.notFound('Notification channel', idOrName);
    return row;
  }

  async function enqueue(channel: NotifyChannelRow, message: NotifyMessage, caller: NotifyCaller): Promise<NotifyDeliveryRow> {
    const at = now();
    const row = { id: newId(), channel_id: channel.id, message: JSON.stringify(message), status: 'pending' as const, attempts: 0, next_attempt_at: at, claimed_until: null, last_error: null, last_error_code: null, created_by: authorOf(caller), created_at: at, updated_at: at, delivered_at: null };
    await repo.insertDelivery(row);
    return row;
  }

  return {
    worker,

    async listChannels(caller: NotifyCaller): Promise<{ items: ChannelView[] }> {
      assertPermitted(caller, 'notify:read');
      return { items: (await repo.listChannels()).map(toChannelView) };
    },

    async getChannel(id: string, caller: NotifyCaller): Promise<ChannelView> {
      assertPermitted(caller, 'notify:read');
      return toChannelView(await find(id));
    },

    async createChannel(input: CreateChannelInput, caller: NotifyCaller): Promise<ChannelView> {
      return audited(caller, { action: 'notify.channel.create', target: target(input.name), details: { kind: input.settings.kind } }, async () => {
        assertPermitted(caller, 'notify:manage');
        if (await repo.findChannel(input.name)) throw new AppError('conflict', `notification channel '${input.name}' already exists`);
        const row = await newChannelRow(input, deps.guard, now());
        await repo.insertChannel(row);
        return toChannelView(await find(row.id));
      });
    },

    async updateChannel(id: string, input: UpdateChannelInput, caller: NotifyCaller): Promise<ChannelView> {
      return audited(caller, { action: 'notify.channel.update', target: target(id), details: { fields: Object.keys(input) } }, async () => {
        assertPermitted(caller, 'notify:manage');
        const next = await updatedChannelRow(await find(id), input, deps.guard, now());
        await repo.updateChannel(next.id, next);
        return toChannelView(next);
      });
    },

    /** Removes the channel and its delivery log. */
    async deleteChannel(id: string, caller: NotifyCaller): Promise<void> {
      await audited(caller, { action: 'notify.channel.delete', target: target(id) }, async () => {
        assertPermitted(caller, 'notify:manage');
        await repo.deleteChannel((await find(id)).id);
      });
    },

    /**
     * Queues one message for one channel (id or name); delivery is the worker's. Sends by people and
     * API keys are audited; the platform's own (alert routing, SYSTEM_CALLER) are logged by their
     * delivery row only, so alert traffic does not flood the operation log.
     */
    async send(channelId: string, message: NotifyMessage, caller: NotifyCaller): Promise<{ delivery_id: string; channel: string; status: 'pending' }> {
      const run = async () => {
        assertPermitted(caller, 'notify:send');
        const parsed = notifyMessage.safeParse(message);
        if (!parsed.success) throw new AppError('validation', `invalid message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        const channel = await find(channelId);
        if (channel.enabled !== 1) throw new AppError('conflict', `notification channel '${channel.name}' is disabled`);
        const row = await enqueue(channel, parsed.data, caller);
        worker.wake();
        return { delivery_id: row.id, channel: channel.name, status: 'pending' as const };
      };
      if (caller.actor.type === 'system') return run();
      return audited(caller, { action: 'notify.send', target: target(channelId), details: { severity: message.severity } }, run);
    },

    /** Queues a test message and attempts it now (rate limits apply); answers with the delivery's state. */
    async testChannel(id: string, caller: NotifyCaller): Promise<DeliveryView & { channel: string }> {
      return audited(caller, { action: 'notify.channel.test', target: target(id) }, async (details) => {
        assertPermitted(caller, 'notify:send');
        const channel = await find(id);
        const row = await enqueue(channel, { title: channel.language === 'zh-CN' ? 'MCPS.ONE 测试通知' : 'MCPS.ONE test notification', text: channel.language === 'zh-CN' ? `通道 ${channel.name} 可以送达。` : `Channel ${channel.name} delivers.`, severity: 'info' }, caller);
        await worker.deliverNow(row.id);
        const after = toDeliveryView((await repo.findDelivery(row.id))!);
        Object.assign(details, { status: after.status, code: after.last_error_code });
        return { ...after, channel: channel.name };
      });
    },

    async listDeliveries(q: DeliveryQueryInput, caller: NotifyCaller): Promise<{ items: DeliveryView[]; next_cursor: string | null }> {
      assertPermitted(caller, 'notify:read');
      const channelId = q.channel ? (await find(q.channel)).id : undefined;
      const rows = await repo.listDeliveries({ channelId, status: q.status, before: q.cursor, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      return { items: page.map(toDeliveryView), next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
    },
  };
}

export type NotifyService = ReturnType<typeof createNotifyService>;
