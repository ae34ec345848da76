import { Drain, templateText, type DrainParams, type DrainState, type Template } from './drain.js';
import type { LogSource, ReadOptions } from './entries.js';
import type { EntryFilter } from './filters.js';
import { mineSources, type MineSourcesOptions } from './mine-sources.js';
import { iso, readNotes } from './scan.js';

export interface MineOptions {
  params: DrainParams;
  filter: EntryFilter;
  limit: number;
  /** A saved model to extend (its templates keep their ids and counts). */
  state?: DrainState | undefined;
  /** Called for each entry with the template it joined (e.g. `--assign`). */
  onAssign?: ((line: number, source: string, t: Template | null) => void) | undefined;
  /** How big files are mined on worker threads (tests and the bench set these). */
  threads?: MineSourcesOptions | undefined;
}

export const templateView = (t: Template, seenHere?: number) => ({
  id: t.id,
  template: templateText(t),
  count: t.count,
  ...(seenHere !== undefined ? { count_here: seenHere } : {}),
  first_seen: iso(t.firstSeen),
  last_seen: iso(t.lastSeen),
  example: t.example,
});

/** Mines templates from the first line of each entry, extending `state` when given (big plain files on worker threads: mine-sources.ts). */
export async function mineTemplates(sources: LogSource[], opt: ReadOptions, o: MineOptions) {
  const drain = new Drain(o.state?.params ?? o.params, o.state);
  const here = new Map<string, number>();
  const summary = await mineSources(sources, opt, o.filter, drain, (line, source, t) => {
    if (t) here.set(t.id, (here.get(t.id) ?? 0) + 1);
    o.onAssign?.(line, source, t);
  }, o.threads);
  const seen = drain.templates.filter((t) => here.has(t.id)).sort((a, b) => here.get(b.id)! - here.get(a.id)!);
  const notes = readNotes(summary);
  if (drain.overflow) notes.push(`${drain.overflow} entries matched no template once ${drain.params.maxTemplates} templates were kept (raise max_templates)`);
  return {
    result: {
      sources: summary.sources,
      entries: summary.matched,
      templates: seen.slice(0, o.limit).map((t) => templateView(t, here.get(t.id))),
      total_templates: seen.length,
      model_templates: drain.templates.length,
      omitted: Math.max(0, seen.length - o.limit),
      params: drain.params,
      notes,
    },
    state: drain.state(),
  };
}

export type MineResult = Awaited<ReturnType<typeof mineTemplates>>['result'];
