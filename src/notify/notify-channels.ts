import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import { checkUrlToSave, type OutboundGuard } from '../lib/outbound-guard.js';
import { findSecretReferences } from '../secrets/secret-reference.js';
import type { ChannelSettings } from './channel-settings.js';
import type { Language } from './notify-message.js';
import type { ChannelView, CreateChannelInput, UpdateChannelInput } from './notify.schema.js';
import type { NewNotifyChannelRow, NotifyChannelRow } from './notify.table.js';

const HTTP = ['http:', 'https:'];

export function toChannelView(row: NotifyChannelRow): ChannelView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    language: row.language as Language,
    enabled: row.enabled === 1,
    description: row.description,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const isReference = (s: string) => findSecretReferences(s).length > 0;

/** Plain URLs of the settings pass the outbound guard when saved (references are checked at send time). */
async function assertReachable(s: ChannelSettings, guard: Pick<OutboundGuard, 'check'>): Promise<void> {
  const urls: [string, string | undefined][] = [
    ['settings.url', s.kind === 'webhook' ? s.url : undefined],
    ['settings.base_url', 'base_url' in s ? s.base_url : undefined],
  ];
  for (const [field, url] of urls) if (url && !isReference(url)) await checkUrlToSave(guard, url, HTTP, field);
  if (s.kind === 'email') await checkUrlToSave(guard, `http://${s.host.includes(':') ? `[${s.host}]` : s.host}/`, HTTP, 'settings.host');
  if (s.kind === 'email' && s.password && !s.username)
    throw new AppError('validation', 'settings.username: a password needs a username', { errors: [{ field: 'settings.username', message: 'required with password' }] });
}

export async function newChannelRow(input: CreateChannelInput, guard: Pick<OutboundGuard, 'check'>, now: string): Promise<NewNotifyChannelRow> {
  await assertReachable(input.settings, guard);
  return {
    id: newId(),
    name: input.name,
    kind: input.settings.kind,
    language: input.language ?? 'en',
    settings: JSON.stringify(input.settings),
    enabled: input.enabled === false ? 0 : 1,
    description: input.description ?? null,
    created_at: now,
    updated_at: now,
  };
}

export async function updatedChannelRow(row: NotifyChannelRow, input: UpdateChannelInput, guard: Pick<OutboundGuard, 'check'>, now: string): Promise<NotifyChannelRow> {
  if (input.settings) await assertReachable(input.settings, guard);
  return {
    ...row,
    ...(input.language ? { language: input.language } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.settings ? { kind: input.settings.kind, settings: JSON.stringify(input.settings) } : {}),
    updated_at: now,
  };
}
