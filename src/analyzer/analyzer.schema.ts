import { z } from 'zod';
import { DEFAULT_DRAIN } from './drain.js';
import { FORMATS, LEVELS } from './formats.js';

/** Inline text is for small samples; bigger inputs are files under the log roots. */
export const MAX_INLINE_BYTES = 5 * 1024 * 1024;

const level = z.enum(LEVELS);
const time = z.string().max(64).describe('ISO 8601 time, e.g. 2024-03-01T12:00:00Z (no zone: the `timezone` input)');

/** What to read and how: shared by every analyzer tool and route. */
export const inputFields = {
  files: z.array(z.string().min(1).max(1024)).max(100).optional().describe('Files, directories or globs (`nginx/*.log.gz`) under the log roots; relative paths start at the first root'),
  text: z.string().max(MAX_INLINE_BYTES).optional().describe('Log text passed inline (instead of or besides files)'),
  format: z.enum(FORMATS).optional().describe('Read every input as this format (default: detected per file)'),
  timezone: z.string().max(10).optional().describe('Zone of times written without one: UTC (default) or an offset like +02:00'),
  year: z.number().int().min(1970).max(9999).optional().describe('Year of syslog RFC 3164 times, which have none (default: this year)'),
};

export const filterFields = {
  from: time.optional().describe('Only entries at or after this time'),
  to: time.optional().describe('Only entries before this time'),
  levels: z.array(level).max(6).optional().describe('Only entries of these levels'),
  contains: z.string().max(1000).optional().describe('Only entries containing this text (case-insensitive)'),
};

export const budgetField = {
  max_text_bytes: z.number().int().min(500).max(200_000).default(8000).describe('Size of the text rendering of the result; lists past it are summarized, never silently cut'),
};

export const drainFields = {
  similarity: z.number().min(0.1).max(1).default(DEFAULT_DRAIN.similarity).describe('Share of equal tokens a line needs to join a template'),
  depth: z.number().int().min(2).max(10).default(DEFAULT_DRAIN.depth).describe('Depth of the prefix tree'),
  max_templates: z.number().int().min(10).max(100_000).default(DEFAULT_DRAIN.maxTemplates),
};

export const analyzeInput = z.object({ ...inputFields, ...filterFields, top_errors: z.number().int().min(0).max(200).default(10), ...budgetField });
export const searchInput = z.object({
  ...inputFields,
  ...filterFields,
  query: z.string().min(1).max(1000).describe('Text to find; with regex=true an RE2 regular expression (linear time)'),
  regex: z.boolean().default(false),
  case_sensitive: z.boolean().default(false),
  context: z.number().int().min(0).max(10).default(0).describe('Entries shown before and after each match'),
  limit: z.number().int().min(1).max(1000).default(20),
  ...budgetField,
});
export const templatesInput = z.object({
  ...inputFields,
  ...filterFields,
  ...drainFields,
  model: z.string().regex(/^[\w.-]{1,100}$/).optional().describe('Name of a saved model to extend and save back (e.g. `nginx-prod`); without it the mining starts fresh and nothing is saved'),
  limit: z.number().int().min(1).max(1000).default(30),
  ...budgetField,
});
const window = z.object({ from: time, to: time });
export const compareInput = z.object({
  ...inputFields,
  ...filterFields,
  ...drainFields,
  incident: window.describe('The window under suspicion'),
  baseline: window.optional().describe('The normal window (default: everything before the incident)'),
  growth: z.number().min(1).max(1000).default(2).describe('A template grew when its share of entries is at least this many times its baseline share'),
  evidence: z.number().int().min(0).max(10).default(3).describe('Example lines per template'),
  limit: z.number().int().min(1).max(500).default(15),
  ...budgetField,
});

export const REPORT_KINDS = ['analyze', 'search', 'templates', 'compare'] as const;
export const REPORT_FORMATS = ['json', 'csv', 'markdown'] as const;
export const exportInput = z.object({
  kind: z.enum(REPORT_KINDS).describe('Which analysis to run and save'),
  params: z.record(z.string(), z.unknown()).describe('The inputs of that analysis, as for its tool (analyze_logs, search_logs, mine_templates, compare_logs)'),
  format: z.enum(REPORT_FORMATS).default('markdown'),
});

export type AnalyzeInput = z.infer<typeof analyzeInput>;
export type SearchInput = z.infer<typeof searchInput>;
export type TemplatesInput = z.infer<typeof templatesInput>;
export type CompareInput = z.infer<typeof compareInput>;
export type ExportInput = z.infer<typeof exportInput>;

// Results

const source = z.object({ name: z.string(), format: z.enum(FORMATS), bytes: z.number(), lines: z.number() });
const notes = z.array(z.string()).describe('What was cut or could not be read');
const isoOrNull = z.string().nullable();

export const analyzeOutput = z.object({
  sources: z.array(source),
  entries: z.number(),
  matched: z.number().describe('Entries that passed the filters'),
  bytes: z.number(),
  lines: z.number(),
  time_range: z.object({ from: isoOrNull, to: isoOrNull }).nullable(),
  levels: z.record(z.string(), z.number()),
  histogram: z.object({ bucket_seconds: z.number(), buckets: z.array(z.object({ start: z.string(), count: z.number() })) }),
  top_errors: z.object({
    items: z.array(z.object({ pattern: z.string(), count: z.number(), level: z.string(), first_seen: isoOrNull, last_seen: isoOrNull, example: z.string() })),
    groups: z.number(),
    omitted: z.number(),
  }),
  access: z.object({ requests: z.number(), status_classes: z.record(z.string(), z.number()), latency_ms: z.record(z.string(), z.number()).nullable() }).nullable(),
  notes,
});

const hit = z.object({ source: z.string(), line: z.number(), ts: isoOrNull, level: z.string().nullable(), text: z.string(), match: z.tuple([z.number(), z.number()]), before: z.array(z.string()), after: z.array(z.string()) });
export const searchOutput = z.object({ sources: z.array(source), entries: z.number(), matches: z.number(), hits: z.array(hit), omitted: z.number(), notes });

const template = z.object({ id: z.string(), template: z.string(), count: z.number(), count_here: z.number().optional(), first_seen: isoOrNull, last_seen: isoOrNull, example: z.string() });
export const templatesOutput = z.object({
  sources: z.array(source),
  entries: z.number(),
  templates: z.array(template),
  total_templates: z.number().describe('Templates seen in these inputs'),
  model_templates: z.number().describe('Templates in the model (with earlier inputs when a saved model was extended)'),
  omitted: z.number(),
  params: z.object({ depth: z.number(), similarity: z.number(), maxChildren: z.number(), maxTemplates: z.number() }),
  model: z.string().nullable(),
  notes,
});

const change = z.object({ id: z.string(), template: z.string(), baseline: z.number(), incident: z.number(), ratio: z.number().nullable(), evidence: z.array(z.string()) });
const changes = z.object({ items: z.array(change), total: z.number(), omitted: z.number() });
const windowStats = z.object({ entries: z.number(), errors: z.number(), error_rate: z.number(), from: isoOrNull, to: isoOrNull });
export const compareOutput = z.object({
  sources: z.array(source),
  windows: z.object({ baseline: windowStats, incident: windowStats }),
  new_templates: changes,
  grown_templates: changes,
  vanished_templates: changes,
  notes,
});

export const exportOutput = z.object({
  name: z.string(),
  format: z.enum(REPORT_FORMATS),
  bytes: z.number(),
  download: z.string().describe('REST path that serves the file (GET, logs:analyze)'),
});

export const exportNameParams = z.object({ name: z.string().regex(/^report-[\w.-]+\.(json|csv|md)$/) });
