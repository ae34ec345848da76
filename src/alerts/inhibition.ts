import { compileMatchers, type LabelSet, type Matcher } from './label-matchers.js';

export interface InhibitRule {
  name: string;
  source_matchers: Matcher[];
  target_matchers: Matcher[];
  equal: string[];
}

export interface InhibitCandidate {
  fingerprint: string;
  labels: LabelSet;
}

/**
 * Alertmanager's inhibition: a target alert is muted by a rule when some *firing* source alert
 * matches the source matchers, the target matches the target matchers, both have the same value
 * (a missing label equals a missing label) for every `equal` label. As in Alertmanager
 * (`excludeTwoSidedMatch`), when the target also matches the source matchers, sources that also match
 * the target matchers do not count: such alerts do not inhibit each other (nor themselves).
 */
export function createInhibitor(rules: InhibitRule[], firing: InhibitCandidate[]) {
  const compiled = rules.map((r) => {
    const src = compileMatchers(r.source_matchers);
    return { name: r.name, equal: r.equal, source: src, target: compileMatchers(r.target_matchers), sources: firing.filter((a) => src(a.labels)) };
  });
  return function inhibitedBy(alert: InhibitCandidate): string[] {
    const names: string[] = [];
    for (const rule of compiled) {
      if (!rule.target(alert.labels)) continue;
      const twoSided = rule.source(alert.labels);
      const hit = rule.sources.some((s) => !(twoSided && rule.target(s.labels)) && rule.equal.every((l) => (s.labels[l] ?? '') === (alert.labels[l] ?? '')));
      if (hit) names.push(rule.name);
    }
    return names;
  };
}
