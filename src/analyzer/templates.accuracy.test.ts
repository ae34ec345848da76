import { describe, expect, it } from 'vitest';
import { groupingAccuracy, LABELLED_KINDS, labelledLines } from '../../test/fixtures/logs/generators.js';
import { HAND_LABELLED } from '../../test/fixtures/logs/hand-labelled.js';
import { DEFAULT_DRAIN, Drain, type DrainState } from './drain.js';

/**
 * Grouping accuracy of template mining on labelled lines (each line's true template known from the
 * generator), over varied kinds of logs (system, distributed, application, mobile, OS) and a small hand-labelled set
 * in the shapes of public collections, with the one
 * default parameter set. Target: a mean of at least 0.90.
 */
describe('template mining accuracy', () => {
  it('groups labelled lines of every kind with a mean accuracy of at least 0.90 (default parameters)', () => {
    const scores: Record<string, number> = {};
    for (const kind of Object.keys(LABELLED_KINDS)) {
      const lines = labelledLines(kind, 2000, 11);
      const drain = new Drain(DEFAULT_DRAIN);
      const predicted = lines.map((l) => drain.add(l.text)!.id);
      scores[kind] = groupingAccuracy(lines.map((l) => l.template), predicted);
    }
    const hand = new Drain(DEFAULT_DRAIN);
    scores['hand-labelled'] = groupingAccuracy(HAND_LABELLED.map((l) => l.template), HAND_LABELLED.map((l) => hand.add(l.text)!.id));
    const mean = Object.values(scores).reduce((a, b) => a + b, 0) / Object.keys(scores).length;
    console.log(`template grouping accuracy: mean ${mean.toFixed(3)} ${JSON.stringify(Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, Number(v.toFixed(3))])))}`);
    expect(mean).toBeGreaterThanOrEqual(0.9);
  });

  it('a saved model extended by later lines keeps its template ids', () => {
    const lines = labelledLines('application', 400, 3);
    const first = new Drain(DEFAULT_DRAIN);
    const ids = lines.slice(0, 200).map((l) => first.add(l.text)!.id);
    const saved = JSON.parse(JSON.stringify(first.state())) as DrainState;
    const later = new Drain(saved.params, saved);
    const again = lines.slice(0, 200).map((l) => later.add(l.text)!.id);
    expect(again).toEqual(ids);
    expect(later.templates.length).toBe(first.templates.length);
  });

  it('stops adding templates at max_templates and counts what it could not place', () => {
    const drain = new Drain({ ...DEFAULT_DRAIN, maxTemplates: 3 });
    for (const w of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) drain.add(`${w}`);
    expect(drain.templates).toHaveLength(3);
    expect(drain.overflow).toBe(2);
  });
});
