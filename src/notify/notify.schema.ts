import { z } from 'zod';
import { channelSettings } from './channel-settings.js';
import { languages, notifyMessage } from './notify-message.js';

export const channelName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _ (at most 63)');

export const createChannelBody = z.object({
  name: channelName,
  language: z.enum(languages).optional().describe('Language of the messages (default en)'),
  enabled: z.boolean().optional(),
  description: z.string().max(500).nullable().optional(),
  settings: channelSettings.describe('The kind and its settings; tokens, keys and passwords as ${secret:NAME}'),
}).strict();

export const updateChannelBody = z.object({
  language: z.enum(languages).optional(),
  enabled: z.boolean().optional(),
  description: z.string().max(500).nullable().optional(),
  settings: channelSettings.optional().describe('Replaces the settings whole (the kind may change)'),
}).strict();

export const channelView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  language: z.enum(languages),
  enabled: z.boolean(),
  description: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()).describe('As stored: secrets appear only as ${secret:NAME} references'),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: 'NotifyChannel' });

export const channelList = z.object({ items: z.array(channelView) });
export const channelParams = z.object({ id: z.string().min(1).max(100) });

export const deliveryStatus = z.enum(['pending', 'sending', 'delivered', 'failed']);

export const deliveryView = z.object({
  id: z.string(),
  channel_id: z.string(),
  status: deliveryStatus,
  attempts: z.number().int(),
  next_attempt_at: z.string(),
  last_error: z.string().nullable(),
  last_error_code: z.string().nullable().describe("The vendor's error code (DingTalk/WeCom errcode, Feishu code, Telegram error_code, SMTP reply code) or the HTTP status"),
  title: z.string(),
  severity: z.string(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  delivered_at: z.string().nullable(),
}).meta({ id: 'NotifyDelivery' });

export const deliveryQuery = z.object({
  channel: z.string().max(100).optional().describe('Channel id or name'),
  status: deliveryStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(100).optional().describe('next_cursor of the previous page'),
});

export const deliveryList = z.object({ items: z.array(deliveryView), next_cursor: z.string().nullable() });

export const sendResult = z.object({ delivery_id: z.string(), channel: z.string(), status: deliveryStatus });

export const testResult = deliveryView.extend({ channel: z.string() });

export const sendInput = z.object({ channel: z.string().min(1).max(100).describe('Channel id or name'), message: notifyMessage });

export type CreateChannelInput = z.infer<typeof createChannelBody>;
export type UpdateChannelInput = z.infer<typeof updateChannelBody>;
export type ChannelView = z.infer<typeof channelView>;
export type DeliveryView = z.infer<typeof deliveryView>;
export type DeliveryQueryInput = z.infer<typeof deliveryQuery>;
