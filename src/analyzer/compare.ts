import { Drain, templateText, type DrainParams } from './drain.js';
import type { LogSource, ReadOptions } from './entries.js';
import { bound, type EntryFilter } from './filters.js';
import { readNotes, scan } from './scan.js';

export interface Window {
  from: string;
  to: string;
}

export interface CompareOptions {
  incident: Window;
  /** Default: everything before the incident. */
  baseline?: Window | undefined;
  params: DrainParams;
  filter: EntryFilter;
  limit: number;
  /** Evidence lines per template. */
  evidence: number;
  /** A template "grew" when its share of the window is at least this many times its baseline share. */
  growth: number;
}

interface Tally {
  baseline: number;
  incident: number;
  evidence: string[];
}

/**
 * An incident window against a baseline window: templates new in the incident, grown (share of
 * entries at least `growth` times the baseline's), vanished; error rates of both; evidence lines
 * from the incident. One pass, one template model for both windows.
 */
export async function compareLogs(sources: LogSource[], opt: ReadOptions, o: CompareOptions) {
  const inc = { from: bound(o.incident.from, 'incident.from', opt.time)!, to: bound(o.incident.to, 'incident.to', opt.time)! };
  const base = o.baseline
    ? { from: bound(o.baseline.from, 'baseline.from', opt.time)!, to: bound(o.baseline.to, 'baseline.to', opt.time)! }
    : { from: -Infinity, to: inc.from };
  const drain = new Drain(o.params);
  const tallies = new Map<string, Tally>();
  const windows = { baseline: { entries: 0, errors: 0 }, incident: { entries: 0, errors: 0 } };
  const filter: EntryFilter = { ...o.filter };
  const summary = await scan(sources, opt, filter, (e) => {
    if (e.ts === null) return;
    const which = e.ts >= inc.from && e.ts < inc.to ? 'incident' : e.ts >= base.from && e.ts < base.to ? 'baseline' : null;
    if (!which) return;
    const w = windows[which];
    w.entries++;
    if (e.level === 'error' || e.level === 'fatal') w.errors++;
    const t = drain.add(e.message, e.ts);
    if (!t) return;
    let tally = tallies.get(t.id);
    if (!tally) tallies.set(t.id, (tally = { baseline: 0, incident: 0, evidence: [] }));
    tally[which]++;
    if (which === 'incident' && tally.evidence.length < o.evidence) tally.evidence.push(`${e.source}:${e.line}: ${e.lines.join('\n').slice(0, 1000)}`);
  });
  const share = (n: number, of: number) => (of ? n / of : 0);
  const rows = drain.templates.map((t) => {
    const tally = tallies.get(t.id) ?? { baseline: 0, incident: 0, evidence: [] };
    const b = share(tally.baseline, windows.baseline.entries);
    const i = share(tally.incident, windows.incident.entries);
    return { id: t.id, template: templateText(t), baseline: tally.baseline, incident: tally.incident, ratio: b ? round(i / b) : null, evidence: tally.evidence };
  });
  const pick = (keep: (r: (typeof rows)[number]) => boolean, by: (r: (typeof rows)[number]) => number) => {
    const all = rows.filter(keep).sort((a, b) => by(b) - by(a));
    return { items: all.slice(0, o.limit), total: all.length, omitted: Math.max(0, all.length - o.limit) };
  };
  const rate = (w: { entries: number; errors: number }) => ({ ...w, error_rate: round(share(w.errors, w.entries)) });
  return {
    sources: summary.sources,
    windows: { baseline: { ...rate(windows.baseline), from: iso(base.from), to: iso(base.to) }, incident: { ...rate(windows.incident), from: iso(inc.from), to: iso(inc.to) } },
    new_templates: pick((r) => r.baseline === 0 && r.incident > 0, (r) => r.incident),
    grown_templates: pick((r) => r.baseline > 0 && r.ratio !== null && r.ratio >= o.growth, (r) => r.ratio ?? 0),
    vanished_templates: pick((r) => r.baseline > 0 && r.incident === 0, (r) => r.baseline),
    notes: readNotes(summary),
  };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

export type CompareResult = Awaited<ReturnType<typeof compareLogs>>;
