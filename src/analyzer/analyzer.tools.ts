import type { CallToolResult, McpServer, ServerContext } from '@modelcontextprotocol/server';
import { toolResult } from '../gateway/mcp-errors.js';
import type { SecretCaller as Caller } from '../secrets/secret-caller.js';
import {
  analyzeInput, analyzeOutput, compareInput, compareOutput, exportInput, exportOutput, searchInput, searchOutput, templatesInput, templatesOutput,
} from './analyzer.schema.js';
import type { AnalyzerService, RunControl } from './analyzer.service.js';
import { fitText, markdownLines, type Report } from './render.js';

export interface AnalyzerToolsDeps {
  analyzer: AnalyzerService;
  caller: Caller;
}

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

/**
 * The log-analysis tools of the log service: analyze_logs, search_logs, mine_templates, compare_logs,
 * export_report. Each acts as the caller (the service checks logs:analyze / logs:export), reports
 * progress (bytes read) when the client sends a progress token, stops when the call is cancelled, and
 * answers with the full structured result plus a Markdown rendering cut to `max_text_bytes`.
 */
export function registerAnalyzerTools(server: McpServer, { analyzer, caller }: AnalyzerToolsDeps): void {
  server.registerTool('analyze_logs', {
    title: 'Analyze logs',
    description: 'Summarize log files (under the log roots; .gz read as is) or inline text: entries, bytes, time range, counts per level, a time histogram, the top error messages grouped with numbers/ids/IPs/paths masked, and for access logs status classes and latency percentiles. Filters: from/to, levels, contains. Formats are detected per file (json, logfmt, access, syslog5424, syslog3164, text, raw) unless `format` is given.',
    inputSchema: analyzeInput,
    outputSchema: analyzeOutput,
    annotations: READ_ONLY,
  }, (args, ctx) => answer(ctx, args.max_text_bytes, (ctl) => analyzer.analyze(args, caller, ctl), (result) => ({ kind: 'analyze', result })));

  server.registerTool('search_logs', {
    title: 'Search logs',
    description: 'Find log entries containing a text, or matching an RE2 regular expression (linear time: no runaway patterns; no back-references). Returns each match with its file, line, time, level and `context` entries around it, up to `limit`; `matches` counts them all.',
    inputSchema: searchInput,
    outputSchema: searchOutput,
    annotations: READ_ONLY,
  }, (args, ctx) => answer(ctx, args.max_text_bytes, (ctl) => analyzer.search(args, caller, ctl), (result) => ({ kind: 'search', result })));

  server.registerTool('mine_templates', {
    title: 'Mine log templates',
    description: 'Group log messages into templates (Drain: variables become <*>), with counts, first/last seen and an example each. With `model`, the templates are saved under that name and later calls extend them (stable template ids across files).',
    inputSchema: templatesInput,
    outputSchema: templatesOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, (args, ctx) => answer(ctx, args.max_text_bytes, (ctl) => analyzer.templates(args, caller, ctl), (result) => ({ kind: 'templates', result })));

  server.registerTool('compare_logs', {
    title: 'Compare an incident with a baseline',
    description: 'Compare an incident window with a baseline window (default: everything before the incident): templates new in the incident, grown (share of entries at least `growth` times the baseline share) and vanished, error rates of both windows, with evidence lines from the incident.',
    inputSchema: compareInput,
    outputSchema: compareOutput,
    annotations: READ_ONLY,
  }, (args, ctx) => answer(ctx, args.max_text_bytes, (ctl) => analyzer.compare(args, caller, ctl), (result) => ({ kind: 'compare', result })));

  server.registerTool('export_report', {
    title: 'Export an analysis report',
    description: 'Run analyze_logs, search_logs, mine_templates or compare_logs (`kind`, with its inputs in `params`) and write the result as JSON, CSV or Markdown into the exports folder; returns the file name and its REST download path. Recorded in the operation log; needs logs:export.',
    inputSchema: exportInput,
    outputSchema: exportOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, (args, ctx) => toolResult(() => analyzer.exportReport(args, caller, control(ctx))));
}

async function answer<T extends object>(ctx: ServerContext, budget: number, run: (ctl: RunControl) => Promise<T>, report: (r: T) => Report): Promise<CallToolResult> {
  let rendered: T | null = null;
  const result = await toolResult(async () => (rendered = await run(control(ctx))));
  if (result.isError || !rendered) return result;
  return { ...result, content: [{ type: 'text', text: fitText(markdownLines(report(rendered)), budget) }] };
}

/** Progress notifications (bytes read) when the client asked for them, at most every 250 ms; the call's abort signal. */
function control(ctx: ServerContext): RunControl {
  const token = ctx.mcpReq._meta?.progressToken;
  let last = 0;
  return {
    signal: ctx.mcpReq.signal,
    onProgress: token === undefined ? undefined : (progress, total) => {
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      void ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress, ...(total ? { total } : {}), message: `${progress} bytes read` } }).catch(() => undefined);
    },
  };
}
