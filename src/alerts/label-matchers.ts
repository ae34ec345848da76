import { RE2JS } from 're2js';
import { z } from 'zod';
import { AppError } from '../http/app-error.js';

/** Alertmanager's label matcher: `name op value`, `=~` / `!~` values being RE2 regexes anchored at both ends. */
export const matcherSchema = z.object({
  name: z.string().min(1).max(200).regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name: letters, digits, _ (not first a digit)'),
  op: z.enum(['=', '!=', '=~', '!~']),
  value: z.string().max(1000),
});
export type Matcher = z.infer<typeof matcherSchema>;
export const matchersSchema = z.array(matcherSchema).max(50);

export type LabelSet = Record<string, string>;
export type CompiledMatcher = (labels: LabelSet) => boolean;

/**
 * Compiles a matcher. A missing label reads as the empty string, as in Alertmanager (`foo=""` matches
 * an alert without `foo`). Regexes run on RE2 (linear time: no catastrophic backtracking on hostile
 * input) and are anchored like Alertmanager's `^(?:value)$`.
 */
export function compileMatcher(m: Matcher): CompiledMatcher {
  const read = (labels: LabelSet) => labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return (l) => read(l) === m.value;
    case '!=':
      return (l) => read(l) !== m.value;
    case '=~': {
      const re = compileRegex(m);
      return (l) => re.matches(read(l));
    }
    case '!~': {
      const re = compileRegex(m);
      return (l) => !re.matches(read(l));
    }
  }
}

function compileRegex(m: Matcher): RE2JS {
  try {
    return RE2JS.compile(`^(?:${m.value})$`);
  } catch (err) {
    throw new AppError('validation', `matcher ${m.name}${m.op}"${m.value}": invalid regex (${(err as Error).message})`, { errors: [{ field: 'matchers', message: 'invalid regex' }] });
  }
}

/** True when every matcher matches (an empty list matches everything). */
export function compileMatchers(list: Matcher[]): CompiledMatcher {
  const compiled = list.map(compileMatcher);
  return (labels) => compiled.every((c) => c(labels));
}

/** Parses Alertmanager's text form, e.g. `severity=~"critical|page"` or `job!=api`. */
export function parseMatcher(text: string): Matcher {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*$/.exec(text);
  if (!m) throw new AppError('validation', `matcher '${text}': expected name=value, name!=value, name=~regex or name!~regex`);
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4]!;
  return { name: m[1]!, op: m[2] as Matcher['op'], value };
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
