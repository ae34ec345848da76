import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { AppError } from '../http/app-error.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import { assertPermitted, authorOf, type SecretCaller as Caller } from '../secrets/secret-caller.js';
import { analyzeLogs } from './analyze.js';
import {
  analyzeInput, compareInput, searchInput, templatesInput,
  type AnalyzeInput, type CompareInput, type ExportInput, type SearchInput, type TemplatesInput,
} from './analyzer.schema.js';
import { compareLogs } from './compare.js';
import type { DrainParams } from './drain.js';
import type { LogSource, ReadOptions } from './entries.js';
import type { EntryFilter } from './filters.js';
import { resolveLogFiles } from './log-inputs.js';
import type { MineSourcesOptions } from './mine-sources.js';
import { csvOf, markdownLines, type Report } from './render.js';
import { searchLogs } from './search.js';
import type { TemplateModelsRepository } from './template-models.repository.js';
import { mineTemplates } from './templates.js';
import { defaultTimeOptions, parseZoneOption } from './timestamps.js';

export interface AnalyzerServiceDeps {
  /** Folders inputs must lie in (LOG_ROOTS). */
  roots: readonly string[];
  /** Where reports are written (DATA_DIR/exports). */
  exportDir: string;
  models: TemplateModelsRepository;
  audit: AuditLog;
  /** Prefix of the REST API, for download paths (`/api/v1`). */
  apiPrefix: string;
  /** Which files mine_templates reads on worker threads (default: plain files of MINE_PARALLEL_MIN_BYTES and more, no filter). */
  mining?: MineSourcesOptions;
}

/** How a long call is watched: cancelled through `signal`, told of bytes read. */
export interface RunControl {
  signal?: AbortSignal | undefined;
  onProgress?: ((bytesRead: number, totalBytes: number | undefined) => void) | undefined;
}

type Inputs = Pick<AnalyzeInput, 'files' | 'text' | 'format' | 'timezone' | 'year' | 'from' | 'to' | 'levels' | 'contains'>;

const EXTENSIONS = { json: 'json', csv: 'csv', markdown: 'md' } as const;
const CONTENT_TYPES: Record<string, string> = { json: 'application/json', csv: 'text/csv; charset=utf-8', md: 'text/markdown; charset=utf-8' };

/**
 * Log analysis over files under the log roots and inline text. Checks the caller's permission itself
 * (logs:analyze to read, logs:export to write a report), so REST, MCP tools and the CLI behave alike;
 * writing a report is recorded in the operation log.
 */
export function createAnalyzerService(deps: AnalyzerServiceDeps) {
  async function prepare(input: Inputs, ctl: RunControl): Promise<{ sources: LogSource[]; opt: ReadOptions; filter: EntryFilter }> {
    const sources: LogSource[] = [];
    if (input.files?.length) for (const file of await resolveLogFiles(input.files, [...deps.roots])) sources.push({ kind: 'file', file });
    if (input.text !== undefined) sources.push({ kind: 'text', name: 'inline', text: input.text });
    if (sources.length === 0) throw new AppError('validation', 'name files (under the log roots) or pass text', { errors: [{ field: 'files', message: 'files or text is required' }] });
    const time = defaultTimeOptions();
    if (input.timezone) time.zoneOffsetMin = zone(input.timezone);
    if (input.year) time.year = input.year;
    const compressed = sources.some((s) => s.kind === 'file' && /\.gz$/i.test(s.file.name));
    const total = compressed ? undefined : sources.reduce((n, s) => n + (s.kind === 'file' ? s.file.size : Buffer.byteLength(s.text)), 0);
    const opt: ReadOptions = { format: input.format, time, signal: ctl.signal, onBytes: ctl.onProgress ? (b) => ctl.onProgress!(b, total) : undefined };
    return { sources, opt, filter: { from: input.from, to: input.to, levels: input.levels, text: input.contains } };
  }

  const drainParams = (i: { depth: number; similarity: number; max_templates: number }): DrainParams => ({ depth: i.depth, similarity: i.similarity, maxChildren: 100, maxTemplates: i.max_templates });

  const audited = createAudited(deps.audit);
  const service = {
    async analyze(input: AnalyzeInput, caller: Caller, ctl: RunControl = {}) {
      assertPermitted(caller, 'logs:analyze');
      const { sources, opt, filter } = await prepare(input, ctl);
      return analyzeLogs(sources, opt, { filter, topErrors: input.top_errors });
    },

    async search(input: SearchInput, caller: Caller, ctl: RunControl = {}) {
      assertPermitted(caller, 'logs:analyze');
      const { sources, opt, filter } = await prepare(input, ctl);
      return searchLogs(sources, opt, { query: input.query, regex: input.regex, caseSensitive: input.case_sensitive, context: input.context, limit: input.limit, filter });
    },

    async templates(input: TemplatesInput, caller: Caller, ctl: RunControl = {}) {
      assertPermitted(caller, 'logs:analyze');
      const { sources, opt, filter } = await prepare(input, ctl);
      const state = input.model ? ((await deps.models.get(input.model)) ?? undefined) : undefined;
      const { result, state: next } = await mineTemplates(sources, opt, { params: drainParams(input), filter, limit: input.limit, state, threads: deps.mining });
      if (input.model) await deps.models.save(input.model, next, authorOf(caller));
      return { ...result, model: input.model ?? null };
    },

    async compare(input: CompareInput, caller: Caller, ctl: RunControl = {}) {
      assertPermitted(caller, 'logs:analyze');
      const { sources, opt, filter } = await prepare(input, ctl);
      return compareLogs(sources, opt, { incident: input.incident, baseline: input.baseline, params: drainParams(input), filter, limit: input.limit, evidence: input.evidence, growth: input.growth });
    },

    /** Runs one analysis and writes it into the exports folder (temp file, then rename: never half a report). */
    async exportReport(input: ExportInput, caller: Caller, ctl: RunControl = {}) {
      assertPermitted(caller, 'logs:export');
      const ext = EXTENSIONS[input.format];
      const name = `report-${input.kind}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}.${ext}`;
      return audited(caller, { action: 'analyzer.export', target: { type: 'report', id: name }, details: { kind: input.kind, format: input.format } }, async () => {
        const report = await run(input, caller, ctl);
        const body = input.format === 'json' ? JSON.stringify(report.result, null, 2) : input.format === 'csv' ? csvOf(report) : `${markdownLines(report).join('\n')}\n`;
        await mkdir(deps.exportDir, { recursive: true });
        const file = path.join(deps.exportDir, name);
        const tmp = path.join(deps.exportDir, `.${name}.tmp`);
        try {
          await writeFile(tmp, body, { mode: 0o640 });
          await rename(tmp, file);
        } catch (err) {
          await rm(tmp, { force: true });
          throw new AppError('internal', `could not write the report: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        return { name, format: input.format, bytes: Buffer.byteLength(body), download: `${deps.apiPrefix}/analyzer/exports/${name}` };
      });
    },

    /** A written report, for download. */
    async exportFile(name: string, caller: Caller): Promise<{ path: string; size: number; contentType: string }> {
      assertPermitted(caller, 'logs:analyze');
      if (!/^report-[\w.-]+\.(json|csv|md)$/.test(name)) throw AppError.notFound('report', name);
      const file = path.join(deps.exportDir, name);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw AppError.notFound('report', name);
      return { path: file, size: info.size, contentType: CONTENT_TYPES[path.extname(name).slice(1)]! };
    },
  };

  async function run(input: ExportInput, caller: Caller, ctl: RunControl): Promise<Report> {
    switch (input.kind) {
      case 'analyze': return { kind: 'analyze', result: await service.analyze(parse(analyzeInput, input.params), caller, ctl) };
      case 'search': return { kind: 'search', result: await service.search(parse(searchInput, input.params), caller, ctl) };
      case 'templates': return { kind: 'templates', result: await service.templates(parse(templatesInput, input.params), caller, ctl) };
      case 'compare': return { kind: 'compare', result: await service.compare(parse(compareInput, input.params), caller, ctl) };
    }
  }

  return service;
}

export type AnalyzerService = ReturnType<typeof createAnalyzerService>;

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ field: `params.${i.path.join('.')}`, message: i.message }));
  throw new AppError('validation', `params: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
}

function zone(value: string): number {
  try {
    return parseZoneOption(value);
  } catch (err) {
    throw new AppError('validation', `timezone: ${(err as Error).message}`, { errors: [{ field: 'timezone', message: 'UTC or +HH:MM' }] });
  }
}
