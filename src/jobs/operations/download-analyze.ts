import path from 'node:path';
import { z } from 'zod';
import type { AnalyzerService } from '../../analyzer/analyzer.service.js';
import { AppError } from '../../http/app-error.js';
import { dateOrTime } from '../../storage/storage.schema.js';
import type { StorageService } from '../../storage/storage.service.js';
import type { Operation } from './operation.js';

export const downloadAnalyzeParams = z.object({
  profile: z.string().min(1).max(100).describe('Storage profile id or name'),
  prefix: z.string().max(1000).optional().describe('Under the profile prefix'),
  from: dateOrTime.optional().describe('Keys dated from (inclusive)'),
  to: dateOrTime.optional().describe('Keys dated until (inclusive)'),
  glob: z.string().max(300).optional(),
  max_files: z.number().int().min(1).max(10_000).default(1000).describe('At most this many keys become items'),
  top_errors: z.number().int().min(0).max(20).default(3).describe('Error groups kept in each item result'),
});
type Params = z.infer<typeof downloadAnalyzeParams>;

/** Lists the keys of a date range, then per key: download it (storage service), analyze it (analyze_logs); the result is a summary. */
export function downloadAnalyzeOperation(deps: { storage: StorageService; analyzer: AnalyzerService }): Operation<Params, { key: string }> {
  return {
    name: 'download_analyze',
    description: 'For a storage profile and a prefix / date range / glob: each key is downloaded and analyzed (analyze_logs); an item result is the summary (entries, levels, time range, top errors).',
    params: downloadAnalyzeParams,
    permissions: ['storage:read', 'storage:download', 'logs:analyze'],
    async expand(p, caller, { signal }) {
      if (p.prefix === undefined && p.from === undefined && p.to === undefined && p.glob === undefined)
        throw new AppError('validation', 'give a prefix, a from/to date range or a glob to select the keys', { errors: [{ field: 'params.prefix', message: 'nothing selected' }] });
      const list = await deps.storage.listObjects(p.profile, { prefix: p.prefix, from: p.from, to: p.to, glob: p.glob, limit: p.max_files }, caller, signal);
      return list.items.map((i) => ({ key: i.key }));
    },
    async run(p, { key }, { caller, signal }) {
      const d = await deps.storage.download({ profile: p.profile, keys: [key], gunzip: false, concurrency: 1, max_files: 1 }, caller, { signal });
      const file = d.files[0];
      if (!file || file.status === 'failed' || !file.path) throw new AppError('bad_gateway', `download of ${key} failed: ${file?.error ?? 'no file'}`);
      const a = await deps.analyzer.analyze({ files: [path.join(path.dirname(d.directory), file.path)], top_errors: p.top_errors, max_text_bytes: 8000 }, caller, { signal });
      return {
        key,
        bytes: file.bytes,
        downloaded: file.status === 'downloaded',
        entries: a.entries,
        levels: a.levels,
        time_range: a.time_range,
        top_errors: a.top_errors.items.map((e) => ({ pattern: e.pattern.slice(0, 200), count: e.count })),
        ...(a.access ? { status_classes: a.access.status_classes } : {}),
      };
    },
  };
}
