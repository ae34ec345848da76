import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { toolResult } from '../gateway/mcp-errors.js';
import { compactToolResult, DEFAULT_TEXT_BUDGET } from './tool-text.js';
import { downloadFields, downloadResult, listObjectsFields, objectList, profileList } from './storage.schema.js';
import type { StorageCaller, StorageService } from './storage.service.js';

export interface StorageToolsDeps {
  storage: StorageService;
  /** The MCP client's identity: the same permission checks and audit rows as REST. */
  caller: StorageCaller;
}

type Ctx = { mcpReq: { signal: AbortSignal; _meta?: { progressToken?: string | number } | undefined; notify: (n: { method: 'notifications/progress'; params: Record<string, unknown> }) => Promise<void> } };

const textBudget = z.number().int().min(512).max(256 * 1024).default(DEFAULT_TEXT_BUDGET).describe('Bytes of text in the result (the structured result is complete)');

/**
 * Object-storage tools of the log service: list_storage_profiles, list_log_files, download_logs.
 * Thin over the storage service, which checks the caller's role and audits downloads.
 */
export function registerStorageTools(server: McpServer, { storage, caller }: StorageToolsDeps): void {
  server.registerTool('list_storage_profiles', {
    title: 'List storage profiles',
    description: 'The object-storage buckets (Tencent COS, S3-compatible) the platform can read logs from: name, provider, bucket, prefix and date layout. Credentials are secret references, never values.',
    inputSchema: z.object({}),
    outputSchema: profileList,
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => toolResult(() => storage.listProfiles(caller)));

  server.registerTool('list_log_files', {
    title: 'List log files in a bucket',
    description: 'List the log objects of a storage profile by prefix, by date range (keys laid out by date, e.g. prefix/YYYY/MM/DD/...), and by glob, with sizes and times. Pages of up to `limit` keys; when more matched, left_out says how many and next_cursor continues.',
    inputSchema: z.object({ profile: z.string().min(1).max(100).describe('Profile id or name'), ...listObjectsFields, text_budget: textBudget }),
    outputSchema: objectList,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  }, (args, ctx) =>
    compactToolResult(
      () => storage.listObjects(args.profile, args, caller, (ctx as unknown as Ctx).mcpReq.signal),
      (r) => ({
        header: `${r.items.length} objects, ${r.total_bytes} bytes in profile ${r.profile}${r.left_out ? `; ${r.left_out}${r.left_out_is_lower_bound ? '+' : ''} more matched` : ''}`,
        lines: r.items.map((i) => `${i.key}\t${i.size}\t${i.last_modified ?? ''}`),
        footer: r.hint,
      }),
      args.text_budget,
    ));

  server.registerTool('download_logs', {
    title: 'Download log files',
    description: 'Download objects of a storage profile into DATA_DIR/downloads/<profile>/<key> (for analysis): chosen keys, or a prefix / date range / glob. Parallel, large objects in ranged parts, resumable, verified (size, ETag), optionally gunzipped; unchanged files are skipped. Reports progress; cancellable.',
    inputSchema: z.object({ ...downloadFields, text_budget: textBudget }),
    outputSchema: downloadResult,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  }, (args, ctx) => {
    const { mcpReq } = ctx as unknown as Ctx;
    const token = mcpReq._meta?.progressToken;
    const sent: Promise<void>[] = [];
    const onProgress = token === undefined ? undefined : (p: { files_done: number; files_total: number; bytes_done: number; bytes_total: number }) => {
      sent.push(mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: p.bytes_done, total: p.bytes_total, message: `${p.files_done}/${p.files_total} files` } }).catch(() => {}));
    };
    return compactToolResult(
      async () => {
        const result = await storage.download(args, caller, { signal: mcpReq.signal, onProgress });
        await Promise.all(sent);
        return result;
      },
      (r) => ({
        header: `profile ${r.profile}: ${r.downloaded} downloaded, ${r.skipped} unchanged, ${r.failed} failed, ${r.bytes} bytes, into ${r.directory}${r.evicted ? `; ${r.evicted} old files evicted (DOWNLOADS_MAX_GB)` : ''}`,
        lines: [...r.files].sort((a, b) => (a.status === 'failed' ? -1 : b.status === 'failed' ? 1 : 0)).map((f) => `${f.status}\t${f.key}${f.error ? `\t${f.error}` : ''}`),
        footer: r.left_out ? `${r.left_out} more matching keys were not downloaded (max_files): raise max_files or narrow the selection` : null,
      }),
      args.text_budget,
    );
  });
}
