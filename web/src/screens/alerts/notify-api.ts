import { api } from '../../api/client';

export type ChannelKind = 'webhook' | 'slack' | 'dingtalk' | 'wecom' | 'feishu' | 'telegram' | 'email';
export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed';
export interface Channel { id: string; name: string; kind: ChannelKind; language: 'en' | 'zh-CN'; enabled: boolean; description: string | null; settings: Record<string, unknown>; created_at: string; updated_at: string }
export interface Delivery {
  id: string; channel_id: string; status: DeliveryStatus; attempts: number; next_attempt_at: string;
  last_error: string | null; last_error_code: string | null; title: string; severity: string;
  created_by: string | null; created_at: string; delivered_at: string | null;
}
export interface NewChannel { name: string; language: 'en' | 'zh-CN'; enabled: boolean; description?: string; settings: Record<string, unknown> & { kind: ChannelKind } }

const enc = encodeURIComponent;

export const notifyApi = {
  channels: () => api<{ items: Channel[] }>('/notifications/channels'),
  createChannel: (body: NewChannel) => api<Channel>('/notifications/channels', { method: 'POST', body }),
  deleteChannel: (id: string) => api<void>(`/notifications/channels/${enc(id)}`, { method: 'DELETE' }),
  test: (id: string) => api<Delivery & { channel: string }>(`/notifications/channels/${enc(id)}/test`, { method: 'POST', body: {} }),
  deliveries: () => api<{ items: Delivery[]; next_cursor: string | null }>('/notifications/deliveries?limit=100'),
  secrets: () => api<{ items: { name: string }[] }>('/secrets?limit=500'),
};

/** One settings field of a kind, as src/notify/channel-settings.ts has it. */
export interface FieldSpec { name: string; type: 'secret' | 'text' | 'url' | 'number' | 'select' | 'list' | 'textarea'; required?: boolean; options?: string[] }

const baseUrl: FieldSpec = { name: 'base_url', type: 'url' };

export const kindFields: Record<ChannelKind, FieldSpec[]> = {
  webhook: [{ name: 'url', type: 'url', required: true }, { name: 'secret', type: 'secret' }],
  slack: [{ name: 'webhook_url', type: 'secret', required: true }],
  dingtalk: [{ name: 'access_token', type: 'secret', required: true }, { name: 'secret', type: 'secret' }, { name: 'keyword', type: 'text' }, baseUrl],
  wecom: [{ name: 'key', type: 'secret', required: true }, { name: 'format', type: 'select', options: ['markdown', 'text'] }, baseUrl],
  feishu: [{ name: 'hook_token', type: 'secret', required: true }, { name: 'secret', type: 'secret' }, baseUrl],
  telegram: [{ name: 'bot_token', type: 'secret', required: true }, { name: 'chat_id', type: 'text', required: true }, { name: 'parse_mode', type: 'select', options: ['HTML', 'MarkdownV2', 'none'] }, baseUrl],
  email: [
    { name: 'host', type: 'text', required: true }, { name: 'port', type: 'number', required: true },
    { name: 'security', type: 'select', required: true, options: ['starttls', 'tls', 'none'] },
    { name: 'username', type: 'text' }, { name: 'password', type: 'secret' }, { name: 'from', type: 'text', required: true },
    { name: 'to', type: 'list', required: true }, { name: 'ca', type: 'textarea' },
  ],
};

export const channelKinds = Object.keys(kindFields) as ChannelKind[];

export const secretRef = (name: string) => `\${secret:${name}}`;

/** The settings object from the form's values: empty optional fields left out, secrets as references, lists split on commas. */
export function settingsFrom(kind: ChannelKind, value: (name: string) => string): NewChannel['settings'] {
  const out: NewChannel['settings'] = { kind };
  for (const f of kindFields[kind]) {
    const v = value(f.name).trim();
    if (!v) continue;
    if (f.type === 'secret') out[f.name] = secretRef(v);
    else if (f.type === 'number') out[f.name] = Number(v);
    else if (f.type === 'list') out[f.name] = v.split(',').map((s) => s.trim()).filter(Boolean);
    else out[f.name] = v;
  }
  return out;
}
