/**
 * Template mining speed: lines/s of Drain over N generated labelled lines (all kinds mixed, 51
 * templates), with the grouping accuracy on the same lines and the peak RSS.
 *   npx tsx bench/templates.ts [lines=1000000]
 */
import { DEFAULT_DRAIN, Drain } from '../src/analyzer/drain.js';
import { groupingAccuracy, LABELLED_KINDS, labelledLines } from '../test/fixtures/logs/generators.js';

const n = Number(process.argv[2] ?? 1_000_000);
const kinds = Object.keys(LABELLED_KINDS);
const per = Math.ceil(n / kinds.length);
const lines = kinds.flatMap((k, i) => labelledLines(k, per, 100 + i));
// Interleave the kinds as a real mixed stream would.
lines.sort((a, b) => (a.text.length * 31 + a.text.charCodeAt(5)) % 97 - (b.text.length * 31 + b.text.charCodeAt(5)) % 97);
let peak = process.memoryUsage().rss;
const drain = new Drain(DEFAULT_DRAIN);
const ids: string[] = new Array(lines.length);
const start = process.hrtime.bigint();
for (let i = 0; i < lines.length; i++) {
  ids[i] = drain.add(lines[i]!.text)!.id;
  if ((i & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
peak = Math.max(peak, process.memoryUsage().rss);
const accuracy = groupingAccuracy(lines.map((l) => l.template), ids);
const templates = kinds.reduce((t, k) => t + LABELLED_KINDS[k]!.length, 0);
console.log(JSON.stringify({
  lines: lines.length,
  true_templates: templates,
  found_templates: drain.templates.length,
  lines_per_second: Math.round(lines.length / seconds),
  seconds: Number(seconds.toFixed(2)),
  grouping_accuracy: Number(accuracy.toFixed(3)),
  peak_rss_mb: Math.round(peak / 1024 / 1024),
  note: 'peak RSS includes the generated input held in memory',
}));
