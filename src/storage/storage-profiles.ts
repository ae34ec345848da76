import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import { checkUrlToSave, type OutboundGuard } from '../lib/outbound-guard.js';
import type { CreateProfileInput, ProfileView, UpdateProfileInput } from './storage.schema.js';
import type { StorageRepository } from './storage.repository.js';
import type { NewStorageProfileRow, StorageProfileRow } from './storage.table.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

export function toProfileView(row: StorageProfileRow): ProfileView {
  return { ...row, path_style: row.path_style === 1 };
}

/** The provider's rules: COS buckets are `name-APPID` on COS's own endpoint; an s3 endpoint passes the outbound guard. */
async function assertValidProfile(row: { provider: string; bucket: string; endpoint?: string | null | undefined }, guard: Pick<OutboundGuard, 'check'>): Promise<void> {
  const invalid = (field: string, message: string) => new AppError('validation', `${field}: ${message}`, { errors: [{ field, message }] });
  if (row.provider === 'cos') {
    if (!/-\d{5,}$/.test(row.bucket)) throw invalid('bucket', 'a COS bucket is named name-APPID (e.g. logs-1250000000)');
    if (row.endpoint) throw invalid('endpoint', 'a COS profile uses cos.<region>.myqcloud.com: leave endpoint empty');
    return;
  }
  if (row.endpoint) await checkUrlToSave(guard, row.endpoint, ['http:', 'https:'], 'endpoint');
}

export async function newProfileRow(input: CreateProfileInput, repo: StorageRepository, guard: Pick<OutboundGuard, 'check'>, now: string): Promise<NewStorageProfileRow> {
  if (await repo.findProfile(input.name)) throw new AppError('conflict', `storage profile '${input.name}' already exists`);
  const row: NewStorageProfileRow = {
    id: newId(),
    name: input.name,
    provider: input.provider,
    region: input.region,
    bucket: input.bucket,
    endpoint: input.endpoint ?? null,
    path_style: input.path_style ? 1 : 0,
    access_key_id: input.access_key_id,
    secret_access_key: input.secret_access_key,
    prefix: input.prefix ?? '',
    date_pattern: input.date_pattern ?? null,
    timeout_ms: input.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    description: input.description ?? null,
    created_at: now,
    updated_at: now,
  };
  await assertValidProfile(row, guard);
  return row;
}

export async function updatedProfileRow(row: StorageProfileRow, input: UpdateProfileInput, guard: Pick<OutboundGuard, 'check'>, now: string): Promise<StorageProfileRow> {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const next: StorageProfileRow = { ...row, ...defined, path_style: input.path_style === undefined ? row.path_style : input.path_style ? 1 : 0, updated_at: now } as StorageProfileRow;
  await assertValidProfile(next, guard);
  return next;
}
