import type { Insertable, Selectable, Updateable } from 'kysely';

/** A bucket and how to reach it. Credentials are `${secret:NAME}` references, never values. */
export interface StorageProfileTable {
  id: string;
  /** Unique and never changed: it names the folder DATA_DIR/downloads/<name>. */
  name: string;
  provider: 'cos' | 's3';
  region: string;
  bucket: string;
  /** s3: the endpoint URL (null: AWS); cos: null (cos.<region>.myqcloud.com). */
  endpoint: string | null;
  /** 1: path-style URLs (endpoint/bucket/key); 0: virtual-hosted (bucket.endpoint/key). */
  path_style: number;
  access_key_id: string;
  secret_access_key: string;
  /** Where the logs are in the bucket, e.g. `nginx/`. */
  prefix: string;
  /** How a key carries its date after the prefix, e.g. `YYYY/MM/DD` or `YYYYMMDD` (null: no date layout). */
  date_pattern: string | null;
  timeout_ms: number;
  description: string | null;
  created_at: string;
  updated_at: string;
}

/** A file downloaded from a profile's bucket (the object's ETag and size, where it landed). */
export interface StorageFileTable {
  profile_id: string;
  key: string;
  etag: string;
  object_size: number;
  local_path: string;
  local_size: number;
  gunzipped: number;
  downloaded_at: string;
}

export type StorageProfileRow = Selectable<StorageProfileTable>;
export type NewStorageProfileRow = Insertable<StorageProfileTable>;
export type StorageProfileUpdate = Updateable<StorageProfileTable>;
export type StorageFileRow = Selectable<StorageFileTable>;
