import { z } from 'zod';
import { secretRef } from '../secrets/secret-ref-schema.js';


export const profileName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _ (at most 63)').describe('Also the folder DATA_DIR/downloads/<name>');

/** `YYYY`, `MM`, `DD`, `HH` tokens and literal characters; see date-layout.ts. */
export const datePattern = z.string().min(4).max(64).regex(/YYYY/, 'must contain YYYY').regex(/^[A-Za-z0-9/_.=-]+$/, 'letters, digits and / _ . = -');

const profileFields = {
  provider: z.enum(['cos', 's3']).describe('cos: Tencent COS (virtual-hosted, cos.<region>.myqcloud.com); s3: any S3-compatible endpoint'),
  region: z.string().regex(/^[a-z0-9-]{2,40}$/).describe('e.g. ap-guangzhou, us-east-1'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).describe('For COS: name-APPID'),
  endpoint: z.url().max(500).nullable().optional().describe('s3 only: the endpoint URL (absent: AWS)'),
  path_style: z.boolean().optional().describe('s3 only: path-style URLs (MinIO and most self-hosted stores)'),
  access_key_id: secretRef,
  secret_access_key: secretRef,
  prefix: z.string().max(500).optional().describe('Where the logs are in the bucket, e.g. nginx/'),
  date_pattern: datePattern.nullable().optional().describe('How keys carry their date after the prefix, e.g. YYYY/MM/DD or YYYYMMDD'),
  timeout_ms: z.number().int().min(100).max(600_000).optional().describe('Per request (default 30000)'),
  description: z.string().max(500).nullable().optional(),
};

export const createProfileBody = z.object({ name: profileName, ...profileFields });
export const updateProfileBody = z.object(profileFields).partial();

export const profileView = z
  .object({
    id: z.string(),
    name: z.string(),
    provider: z.enum(['cos', 's3']),
    region: z.string(),
    bucket: z.string(),
    endpoint: z.string().nullable(),
    path_style: z.boolean(),
    access_key_id: z.string(),
    secret_access_key: z.string(),
    prefix: z.string(),
    date_pattern: z.string().nullable(),
    timeout_ms: z.number().int(),
    description: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'StorageProfile' });

export const profileList = z.object({ items: z.array(profileView) });
export const profileParams = z.object({ id: z.string().min(1).max(100).describe('The profile id or name') });

export const connectionTest = z.object({
  ok: z.boolean(),
  endpoint: z.string(),
  bucket: z.string(),
  objects_seen: z.number().int().describe('Keys under the prefix in the first page (at most 10)'),
  ms: z.number().int(),
});

export const dateOrTime = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'YYYY-MM-DD or an ISO-8601 time');

export const listObjectsFields = {
  prefix: z.string().max(1000).optional().describe('Under the profile prefix (default: the profile prefix itself)'),
  from: dateOrTime.optional().describe('Keys dated from (inclusive; needs the profile date_pattern or date_pattern)'),
  to: dateOrTime.optional().describe('Keys dated until (inclusive)'),
  date_pattern: datePattern.optional().describe('Overrides the profile date_pattern'),
  glob: z.string().max(300).optional().describe('Glob on the key after the prefix, e.g. **/*.gz'),
  limit: z.number().int().min(1).max(10_000).default(1000),
  cursor: z.string().max(2000).optional().describe('next_cursor of the previous page'),
};
export const listObjectsQuery = z.object({ ...listObjectsFields, limit: z.coerce.number().int().min(1).max(10_000).default(1000) });

export const objectItem = z.object({
  key: z.string(),
  size: z.number().int(),
  last_modified: z.string().nullable(),
  etag: z.string().nullable(),
  date: z.string().nullable().describe('The date read from the key (date layouts)'),
});

export const objectList = z.object({
  profile: z.string(),
  items: z.array(objectItem),
  total_bytes: z.number().int().describe('Of the listed items'),
  next_cursor: z.string().nullable().describe('More keys matched: pass it as cursor'),
  left_out: z.number().int().describe('Matching keys not in this page (counted up to a scan limit)'),
  left_out_is_lower_bound: z.boolean(),
  hint: z.string().nullable().describe('How to narrow the request when keys were left out'),
});

export const downloadFields = {
  profile: z.string().min(1).max(100).describe('Profile id or name'),
  keys: z.array(z.string().min(1).max(1024)).max(10_000).optional().describe('Exact keys to download'),
  prefix: z.string().max(1000).optional(),
  from: dateOrTime.optional(),
  to: dateOrTime.optional(),
  glob: z.string().max(300).optional(),
  gunzip: z.boolean().default(false).describe('Store .gz objects decompressed (without .gz)'),
  concurrency: z.number().int().min(1).max(32).default(4).describe('Files at once'),
  max_files: z.number().int().min(1).max(10_000).default(1000),
};
export const downloadBody = z.object(downloadFields);

export const downloadedFile = z.object({
  key: z.string(),
  status: z.enum(['downloaded', 'skipped', 'failed']),
  path: z.string().nullable().describe('Relative to DATA_DIR/downloads'),
  bytes: z.number().int(),
  resumed: z.boolean().optional(),
  ranged: z.boolean().optional(),
  error: z.string().optional(),
});

export const downloadResult = z.object({
  profile: z.string(),
  directory: z.string().describe('Absolute folder of this profile\'s files'),
  downloaded: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  bytes: z.number().int(),
  evicted: z.number().int().describe('Old files removed to stay within DOWNLOADS_MAX_GB'),
  files: z.array(downloadedFile),
  left_out: z.number().int().describe('Matching keys beyond max_files, not downloaded'),
});

export type CreateProfileInput = z.infer<typeof createProfileBody>;
export type UpdateProfileInput = z.infer<typeof updateProfileBody>;
export type ProfileView = z.infer<typeof profileView>;
export type ObjectItem = z.infer<typeof objectItem>;
export type ObjectList = z.infer<typeof objectList>;
export type ListObjectsInput = { prefix?: string | undefined; from?: string | undefined; to?: string | undefined; date_pattern?: string | undefined; glob?: string | undefined; limit: number; cursor?: string | undefined };
export type DownloadInput = z.infer<typeof downloadBody>;
export type DownloadResult = z.infer<typeof downloadResult>;
export type DownloadedFile = z.infer<typeof downloadedFile>;
