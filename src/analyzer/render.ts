import type { AnalyzeResult } from './analyze.js';
import type { CompareResult } from './compare.js';
import type { SearchResult } from './search.js';
import type { MineResult } from './templates.js';

export type Report =
  | { kind: 'analyze'; result: AnalyzeResult }
  | { kind: 'search'; result: SearchResult }
  | { kind: 'templates'; result: MineResult & { model: string | null } }
  | { kind: 'compare'; result: CompareResult };

const one = (s: string, max = 300) => {
  const flat = s.replace(/\s*\n\s*/g, ' ⏎ ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};
const cell = (s: string) => one(s).replace(/\|/g, '\\|');
const sourcesLine = (ss: { name: string; format: string; bytes: number }[]) => `Sources: ${ss.map((s) => `${s.name} (${s.format}, ${s.bytes} B)`).join(', ') || 'none'}`;
const more = (n: number, how: string) => (n > 0 ? [`… ${n} more not listed (${how})`] : []);

/** A report as Markdown lines: the text of a tool result and the Markdown export. */
export function markdownLines(r: Report): string[] {
  switch (r.kind) {
    case 'analyze': return analyzeLines(r.result);
    case 'search': return searchLines(r.result);
    case 'templates': return templateLines(r.result);
    case 'compare': return compareLines(r.result);
  }
}

function analyzeLines(r: AnalyzeResult): string[] {
  const levels = Object.entries(r.levels).filter(([, n]) => n > 0).map(([l, n]) => `${l} ${n}`).join(', ');
  const lines = [
    '# Log analysis',
    sourcesLine(r.sources),
    `Entries: ${r.matched} matched of ${r.entries} (${r.lines} lines, ${r.bytes} bytes)`,
    `Time range: ${r.time_range ? `${r.time_range.from} → ${r.time_range.to}` : 'no timestamps'}`,
    `Levels: ${levels || 'none'}`,
  ];
  if (r.access) {
    const classes = Object.entries(r.access.status_classes).sort().map(([c, n]) => `${c} ${n}`).join(', ');
    const lat = r.access.latency_ms ? `; latency ms ${Object.entries(r.access.latency_ms).filter(([k]) => k !== 'samples').map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
    lines.push(`Requests: ${r.access.requests} (${classes})${lat}`);
  }
  const peak = r.histogram.buckets.reduce((m, b) => Math.max(m, b.count), 0);
  lines.push('', `## Histogram (${r.histogram.bucket_seconds} s buckets)`);
  for (const b of r.histogram.buckets) lines.push(`${b.start} ${String(b.count).padStart(8)} ${'#'.repeat(peak ? Math.round((b.count / peak) * 30) : 0)}`);
  lines.push('', `## Top errors (${r.top_errors.groups} patterns)`, '| count | level | pattern | first seen | last seen |', '|---:|---|---|---|---|');
  for (const e of r.top_errors.items) lines.push(`| ${e.count} | ${e.level} | ${cell(e.pattern)} | ${e.first_seen ?? ''} | ${e.last_seen ?? ''} |`);
  lines.push(...more(r.top_errors.omitted, 'raise top_errors, or narrow with from/to, levels, contains'), ...notesLines(r.notes));
  return lines;
}

function searchLines(r: SearchResult): string[] {
  const lines = ['# Search', sourcesLine(r.sources), `Matches: ${r.matches} in ${r.entries} entries`, ''];
  for (const h of r.hits) {
    for (const b of h.before) lines.push(`  ${one(b)}`);
    lines.push(`${h.source}:${h.line}: ${one(h.text, 1000)}`);
    for (const a of h.after) lines.push(`  ${one(a)}`);
    if (h.before.length || h.after.length) lines.push('--');
  }
  lines.push(...more(r.omitted, 'raise limit, or narrow with from/to, levels, a more precise query'), ...notesLines(r.notes));
  return lines;
}

function templateLines(r: MineResult & { model: string | null }): string[] {
  const lines = [
    '# Templates',
    sourcesLine(r.sources),
    `Entries: ${r.entries}; templates here: ${r.total_templates}${r.model ? `; model '${r.model}' now holds ${r.model_templates}` : ''}`,
    '',
    '| id | count | template | first seen | last seen |',
    '|---|---:|---|---|---|',
  ];
  for (const t of r.templates) lines.push(`| ${t.id} | ${t.count_here ?? t.count} | ${cell(t.template)} | ${t.first_seen ?? ''} | ${t.last_seen ?? ''} |`);
  lines.push(...more(r.omitted, 'raise limit, or narrow with from/to, levels, contains'), ...notesLines(r.notes));
  return lines;
}

function compareLines(r: CompareResult): string[] {
  const w = r.windows;
  const lines = [
    '# Incident vs baseline',
    sourcesLine(r.sources),
    `Baseline ${w.baseline.from ?? 'start'} → ${w.baseline.to}: ${w.baseline.entries} entries, error rate ${w.baseline.error_rate}`,
    `Incident ${w.incident.from} → ${w.incident.to}: ${w.incident.entries} entries, error rate ${w.incident.error_rate}`,
  ];
  const section = (title: string, c: CompareResult['new_templates']) => {
    lines.push('', `## ${title} (${c.total})`);
    for (const t of c.items) {
      lines.push(`- ${cell(t.template)} — baseline ${t.baseline}, incident ${t.incident}${t.ratio !== null ? `, ×${t.ratio}` : ''}`);
      for (const e of t.evidence) lines.push(`    ${one(e)}`);
    }
    lines.push(...more(c.omitted, 'raise limit, or narrow the windows'));
  };
  section('New in the incident', r.new_templates);
  section('Grown', r.grown_templates);
  section('Vanished', r.vanished_templates);
  lines.push(...notesLines(r.notes));
  return lines;
}

const notesLines = (notes: string[]) => (notes.length ? ['', ...notes.map((n) => `Note: ${n}`)] : []);

/**
 * Joins lines up to `budget` bytes (UTF-8). What does not fit is not dropped silently: the last line
 * says how many lines were left out and how to see them.
 */
export function fitText(lines: string[], budget: number): string {
  const out: string[] = [];
  const note = (left: number) => `… ${left} more line(s) of this rendering left out to stay within max_text_bytes=${budget}; the structured result has them, or raise max_text_bytes, lower limit, or narrow the filters`;
  const reserve = Buffer.byteLength(note(lines.length)) + 1;
  let size = 0;
  for (let i = 0; i < lines.length; i++) {
    const bytes = Buffer.byteLength(lines[i]!) + 1;
    if (size + bytes > budget - (i === lines.length - 1 ? 0 : reserve)) {
      out.push(note(lines.length - i));
      break;
    }
    out.push(lines[i]!);
    size += bytes;
  }
  return out.join('\n');
}

/** The main table of a report as CSV (RFC 4180). */
export function csvOf(r: Report): string {
  const rows: (string | number | null)[][] = [];
  switch (r.kind) {
    case 'analyze':
      rows.push(['count', 'level', 'pattern', 'first_seen', 'last_seen', 'example']);
      for (const e of r.result.top_errors.items) rows.push([e.count, e.level, e.pattern, e.first_seen, e.last_seen, e.example]);
      break;
    case 'search':
      rows.push(['source', 'line', 'time', 'level', 'text']);
      for (const h of r.result.hits) rows.push([h.source, h.line, h.ts, h.level, h.text]);
      break;
    case 'templates':
      rows.push(['id', 'count', 'template', 'first_seen', 'last_seen', 'example']);
      for (const t of r.result.templates) rows.push([t.id, t.count_here ?? t.count, t.template, t.first_seen, t.last_seen, t.example]);
      break;
    case 'compare':
      rows.push(['change', 'id', 'template', 'baseline', 'incident', 'ratio', 'evidence']);
      for (const [change, c] of [['new', r.result.new_templates], ['grown', r.result.grown_templates], ['vanished', r.result.vanished_templates]] as const)
        for (const t of c.items) rows.push([change, t.id, t.template, t.baseline, t.incident, t.ratio, t.evidence.join('\n')]);
      break;
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // A leading = + - @ would run as a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}
