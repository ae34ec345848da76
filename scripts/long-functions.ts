/**
 * Lists the functions in src/ (tests excepted) longer than a threshold, longest first:
 * `npm run functions` (over 100 lines) or `npm run functions -- 60`. Each row gives the lines as
 * eslint's max-lines-per-function counts them with blank and comment lines skipped (what
 * eslint.config.js holds at 200), then every line of the function.
 */
import { ESLint } from 'eslint';

const max = Number(process.argv[2] ?? 100);
if (!Number.isInteger(max) || max < 1) throw new Error(`usage: long-functions [lines], got ${process.argv[2]}`);

/** `file:line` -> [function name, its lines] for the functions over `max` lines. */
async function longFunctions(skip: boolean): Promise<Map<string, [string, number]>> {
  const rule = ['warn', { max, skipBlankLines: skip, skipComments: skip, IIFEs: true }] as const;
  const eslint = new ESLint({ overrideConfig: { rules: { 'max-lines-per-function': [...rule] } } });
  const found = new Map<string, [string, number]>();
  for (const r of await eslint.lintFiles(['src'])) {
    if (r.filePath.endsWith('.test.ts')) continue;
    for (const m of r.messages) {
      if (m.ruleId !== 'max-lines-per-function') continue;
      const name = /^(.*) has too many lines/.exec(m.message)?.[1] ?? 'function';
      found.set(`${r.filePath.slice(process.cwd().length + 1)}:${m.line}`, [name, Number(/\((\d+)\)/.exec(m.message)?.[1])]);
    }
  }
  return found;
}

const [counted, raw] = await Promise.all([longFunctions(true), longFunctions(false)]);
const rows = [...new Set([...counted.keys(), ...raw.keys()])]
  .map((where) => ({ where, name: (counted.get(where) ?? raw.get(where))![0], counted: counted.get(where)?.[1] ?? null, raw: raw.get(where)?.[1] ?? null }))
  .sort((a, b) => (b.counted ?? 0) - (a.counted ?? 0) || (b.raw ?? 0) - (a.raw ?? 0));

console.log('code  all  function');
for (const r of rows) console.log(`${String(r.counted ?? `<${max}`).padStart(4)} ${String(r.raw ?? '').padStart(4)}  ${r.where}  ${r.name}`);
console.log(`${rows.length} function(s) over ${max} lines in src/`);
