import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import type { OutboundGuard } from '../lib/outbound-guard.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import { assertPermitted, type SecretCaller } from '../secrets/secret-caller.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DownloadProgress, DownloadTarget } from './download-run.js';
import { endpointOf } from './endpoint.js';
import { prunePartials } from './partial-prune.js';
import { storageError } from './storage-errors.js';
import { newProfileRow, toProfileView, updatedProfileRow } from './storage-profiles.js';
import type { CreateProfileInput, DownloadInput, DownloadResult, ListObjectsInput, ObjectList, ProfileView, UpdateProfileInput } from './storage.schema.js';
import { createStorageRepository } from './storage.repository.js';
import type { StorageProfileRow } from './storage.table.js';

/** Who calls: the same caller as the secrets service (a principal checked here, or the CLI / platform). */
export type StorageCaller = SecretCaller;

export interface StorageServiceDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  guard: Pick<OutboundGuard, 'assertUrl' | 'check' | 'lookup'>;
  /** Resolves the profiles' `${secret:NAME}` credentials at the moment of use. */
  secrets: Pick<SecretsService, 'resolve'>;
  dataDir: string;
  downloadsMaxBytes: number;
  /** Ranged GETs for objects above this size (default 8 MiB). */
  partSize?: number;
  now?: () => Date;
}

export interface DownloadControl {
  signal?: AbortSignal | undefined;
  onProgress?: ((p: DownloadProgress) => void) | undefined;
}

/**
 * Object storage: profiles (a bucket and its credentials by reference), listing keys by prefix,
 * date and glob, and downloads into DATA_DIR/downloads/<profile>. Every method takes the caller and
 * checks its permission here (REST and MCP tools alike); changes and downloads are audited once.
 */
export function createStorageService(deps: StorageServiceDeps) {
  const repo = createStorageRepository(deps.db);
  const audited = createAudited(deps.audit);
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const dirs = {
    downloads: path.join(deps.dataDir, 'downloads'),
    partial: path.join(deps.dataDir, 'partial'),
    temp: path.join(deps.dataDir, 'temp'),
  };
  const target = (id: string | null) => ({ type: 'storage_profile', id });

  async function find(idOrName: string): Promise<StorageProfileRow> {
    const row = await repo.findProfile(idOrName);
    if (!row) throw AppError.notFound('Storage profile', idOrName);
    return row;
  }

  /** A client with the profile's credentials resolved now; closed after `run`. */
  async function withClient<T>(profile: StorageProfileRow, run: (client: S3Client, sdk: typeof import('./storage-ops.js')) => Promise<T>): Promise<T> {
    const creds = await deps.secrets.resolve({ accessKeyId: profile.access_key_id, secretAccessKey: profile.secret_access_key }, { reason: `storage profile ${profile.name}` });
    const sdk = await import('./storage-ops.js');
    const { client, close } = sdk.createStorageClient(profile, creds, deps.guard);
    try {
      return await run(client, sdk);
    } finally {
      close();
    }
  }

  return {
    dirs,

    /**
     * Empties DATA_DIR/temp (scratch files of an earlier run) and drops parts in DATA_DIR/partial no run
     * resumed for a week; called once at start.
     */
    async cleanTemp(): Promise<void> {
      await rm(dirs.temp, { recursive: true, force: true });
      await mkdir(dirs.temp, { recursive: true });
      await prunePartials(dirs.partial, Date.parse(now()));
    },

    async listProfiles(caller: StorageCaller): Promise<{ items: ProfileView[] }> {
      assertPermitted(caller, 'storage:read');
      return { items: (await repo.listProfiles()).map(toProfileView) };
    },

    async getProfile(id: string, caller: StorageCaller): Promise<ProfileView> {
      assertPermitted(caller, 'storage:read');
      return toProfileView(await find(id));
    },

    async createProfile(input: CreateProfileInput, caller: StorageCaller): Promise<ProfileView> {
      return audited(caller, { action: 'storage.profile.create', target: target(null), details: { name: input.name } }, async () => {
        assertPermitted(caller, 'storage:manage');
        const row = await newProfileRow(input, repo, deps.guard, now());
        await repo.insertProfile(row);
        return getView(row.id);
      });
    },

    async updateProfile(id: string, input: UpdateProfileInput, caller: StorageCaller): Promise<ProfileView> {
      return audited(caller, { action: 'storage.profile.update', target: target(id), details: { fields: Object.keys(input) } }, async () => {
        assertPermitted(caller, 'storage:manage');
        const next = await updatedProfileRow(await find(id), input, deps.guard, now());
        await repo.updateProfile(next.id, next);
        return toProfileView(next);
      });
    },

    /** Removes the profile and the record of its downloads (the files stay on disk). */
    async deleteProfile(id: string, caller: StorageCaller): Promise<void> {
      await audited(caller, { action: 'storage.profile.delete', target: target(id) }, async () => {
        assertPermitted(caller, 'storage:manage');
        await repo.deleteProfile((await find(id)).id);
      });
    },

    /** Lists one page of keys under the prefix: the credentials, the bucket and the endpoint all work. */
    async testProfile(id: string, caller: StorageCaller): Promise<{ ok: boolean; endpoint: string; bucket: string; objects_seen: number; ms: number }> {
      return audited(caller, { action: 'storage.profile.test', target: target(id) }, async () => {
        assertPermitted(caller, 'storage:read');
        const profile = await find(id);
        const started = Date.now();
        const page = await withClient(profile, (client, sdk) =>
          client.send(new sdk.ListObjectsV2Command({ Bucket: profile.bucket, Prefix: profile.prefix, MaxKeys: 10 })).catch((err: unknown) => {
            throw storageError(err, `bucket ${profile.bucket}`);
          }),
        );
        return { ok: true, endpoint: endpointOf(profile), bucket: profile.bucket, objects_seen: page.KeyCount ?? 0, ms: Date.now() - started };
      });
    },

    async listObjects(id: string, input: ListObjectsInput, caller: StorageCaller, signal?: AbortSignal): Promise<ObjectList> {
      assertPermitted(caller, 'storage:read');
      const profile = await find(id);
      return withClient(profile, (client, sdk) => sdk.listObjects(client, profile, input, signal));
    },

    async download(input: DownloadInput, caller: StorageCaller, control: DownloadControl = {}): Promise<DownloadResult> {
      return audited(caller, { action: 'storage.download', target: target(input.profile) }, async (details) => {
        assertPermitted(caller, 'storage:download');
        const profile = await find(input.profile);
        const byKeys = input.keys !== undefined && input.keys.length > 0;
        if (!byKeys && input.prefix === undefined && input.from === undefined && input.to === undefined && input.glob === undefined)
          throw new AppError('validation', 'give keys, or a prefix / from-to date range / glob to select them', { errors: [{ field: 'keys', message: 'nothing selected' }] });
        const result = await withClient(profile, async (client, sdk) => {
          let leftOut: number;
          let targets: DownloadTarget[];
          if (byKeys) {
            targets = await Promise.all(
              input.keys!.slice(0, input.max_files).map(async (key): Promise<DownloadTarget> => {
                try {
                  const head = await client.send(new sdk.HeadObjectCommand({ Bucket: profile.bucket, Key: key }), { abortSignal: control.signal });
                  return { key, size: head.ContentLength ?? 0, etag: head.ETag ?? '' };
                } catch (err) {
                  return { key, size: 0, etag: '', error: storageError(err, `object ${key}`).message };
                }
              }),
            );
            leftOut = Math.max(0, input.keys!.length - input.max_files);
          } else {
            const list = await sdk.listObjects(client, profile, { prefix: input.prefix, from: input.from, to: input.to, glob: input.glob, limit: input.max_files }, control.signal);
            targets = list.items.map((i) => ({ key: i.key, size: i.size, etag: i.etag ?? '' }));
            leftOut = list.left_out;
          }
          const run = await sdk.runDownloads({ client, profile, repo, dirs, maxBytes: deps.downloadsMaxBytes, partSize: deps.partSize ?? 8 * 1024 * 1024, now }, targets, input, control);
          return { ...run, left_out: leftOut };
        });
        Object.assign(details, { downloaded: result.downloaded, skipped: result.skipped, failed: result.failed, bytes: result.bytes, evicted: result.evicted });
        return result;
      });
    },
  };

  async function getView(id: string): Promise<ProfileView> {
    return toProfileView(await find(id));
  }
}

export type StorageService = ReturnType<typeof createStorageService>;
