import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { toolResult } from '../gateway/mcp-errors.js';
import type { SecretCaller } from '../secrets/secret-caller.js';
import { compactToolResult, DEFAULT_TEXT_BUDGET } from '../storage/tool-text.js';
import { alertSummary, summarizeAlerts, summaryLine } from './alert-summary.js';
import { alertDetail, alertView, silenceList, silenceView, type AlertView } from './alerts.schema.js';
import type { AlertsRuntime } from './alerts-runtime.js';
import { formatMatcher, parseMatcher } from './label-matchers.js';

export interface AlertsToolsDeps {
  alerts: AlertsRuntime;
  /** The MCP client's identity: the same permission checks and audit rows as REST. */
  caller: SecretCaller;
}

const textBudget = z.number().int().min(512).max(256 * 1024).default(DEFAULT_TEXT_BUDGET).describe('Bytes of text in the result (the structured result is complete)');
const matchersText = z.array(z.string().min(1).max(500)).max(20).describe('Label matchers as Alertmanager writes them: severity="critical", job=~"api.*", env!="dev"');

const alertListItem = z.object({
  id: z.string(),
  status: z.enum(['firing', 'resolved']),
  starts_at: z.string(),
  ends_at: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  summary: z.string().nullable().describe('The summary, description or message annotation'),
  received_count: z.number().int(),
  acked: z.boolean(),
  silenced: z.boolean(),
  inhibited: z.boolean(),
});
const alertListResult = z.object({
  state: z.enum(['firing', 'resolved', 'all']),
  total: z.number().int().describe('Alerts matching'),
  left_out: z.number().int().describe('Matching alerts beyond the limit'),
  alerts: z.array(alertListItem),
});

const matcherQuery = (matchers: string[] | undefined) => (matchers?.length ? { matchers: matchers.map((m) => formatMatcher(parseMatcher(m))).join(',') } : {});

function listItem(a: AlertView): z.infer<typeof alertListItem> {
  return {
    id: a.id, status: a.status, starts_at: a.starts_at, ends_at: a.ends_at, labels: a.labels,
    summary: a.annotations['summary'] ?? a.annotations['description'] ?? a.annotations['message'] ?? null,
    received_count: a.received_count, acked: a.acked_at !== null, silenced: a.silenced_by.length > 0, inhibited: a.inhibited_by.length > 0,
  };
}

/** `<id> FIRING since <start> alertname="X",instance="Y": summary (acked)` */
function listLine(a: z.infer<typeof alertListItem>): string {
  const when = a.status === 'firing' ? `FIRING since ${a.starts_at}` : `resolved ${a.starts_at}..${a.ends_at ?? '?'}`;
  const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
  const muted = [a.acked && 'acked', a.silenced && 'silenced', a.inhibited && 'inhibited'].filter(Boolean).join(', ');
  return `${a.id} ${when} ${labels}${a.summary ? `: ${a.summary.slice(0, 200)}` : ''}${muted ? ` (${muted})` : ''}`;
}

/** Alert tools of the log service: alert_summary, list_alerts, get_alert, ack_alert, silence_alerts, list_silences. */
export function registerAlertsTools(server: McpServer, { alerts, caller }: AlertsToolsDeps): void {
  server.registerTool('alert_summary', {
    title: 'What is firing',
    description: 'What fires now, grouped (by alertname unless group_by says otherwise): since when, and how often it fired in the last N days. Alerts come from Alertmanager, Grafana and other webhooks. history=true shows groups that fired in the window but are resolved now. Muted = silenced, inhibited or acknowledged. For the alerts themselves (ids for get_alert / ack_alert), use list_alerts.',
    inputSchema: z.object({
      history: z.boolean().default(false).describe('Include groups that fired in the window but are resolved now'),
      days: z.number().int().min(1).max(365).default(7).describe('The window for counting episodes and for history'),
      matchers: matchersText.optional(),
      group_by: z.array(z.string().min(1).max(200)).max(10).default(['alertname']),
      text_budget: textBudget,
    }),
    outputSchema: alertSummary,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, (args) =>
    compactToolResult(
      async () => summarizeAlerts(await alerts.alerts.list({ state: 'all', days: args.days, group_by: args.group_by.join(','), ...matcherQuery(args.matchers), limit: 5000 }, caller), args.days, !args.history),
      (r) => ({
        header: r.firing ? `${r.firing} alerts firing in ${r.groups.filter((g) => g.firing).length} groups (episodes counted over ${r.window_days} days)` : `nothing firing${r.groups.length ? `; ${r.groups.length} groups fired in the last ${r.window_days} days` : ''}`,
        lines: r.groups.map(summaryLine),
        footer: r.left_out ? `${r.left_out} more alerts beyond the limit: narrow with matchers` : null,
      }),
      args.text_budget,
    ));

  server.registerTool('list_alerts', {
    title: 'List alerts',
    description: 'Alerts one by one, newest first: id, state, start, labels, summary, muted or not. state firing (default), resolved or all (resolved/all: within the last `days`); matchers narrow by labels. For "what is firing, grouped, how often", use alert_summary.',
    inputSchema: z.object({
      state: z.enum(['firing', 'resolved', 'all']).default('firing'),
      days: z.number().int().min(1).max(365).default(7).describe('History window for resolved/all'),
      matchers: matchersText.optional(),
      limit: z.number().int().min(1).max(500).default(50),
      text_budget: textBudget,
    }),
    outputSchema: alertListResult,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, (args) =>
    compactToolResult(
      async () => {
        const list = await alerts.alerts.list({ state: args.state, days: args.days, group_by: '', ...matcherQuery(args.matchers), limit: args.limit }, caller);
        const items = list.groups.flatMap((g) => g.alerts).sort((x, y) => y.starts_at.localeCompare(x.starts_at)).map(listItem);
        return { state: args.state, total: list.total, left_out: list.left_out, alerts: items };
      },
      (r) => ({
        header: `${r.total} ${args.state === 'all' ? '' : `${args.state} `}alerts${r.left_out ? ` (newest ${r.alerts.length} shown)` : ''}`,
        lines: r.alerts.map(listLine),
        footer: r.left_out ? `${r.left_out} more not shown, narrow with matchers (e.g. alertname="${r.alerts[0]?.labels['alertname'] ?? 'X'}"), state, or a higher limit` : null,
      }),
      args.text_budget,
    ));

  server.registerTool('get_alert', {
    title: 'Get an alert',
    description: 'One alert by id (from list_alerts): labels, annotations, times, who acknowledged or resolved it, what mutes it, and its notes.',
    inputSchema: z.object({ id: z.string().min(1).max(100) }),
    outputSchema: alertDetail,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, (args) => toolResult(() => alerts.alerts.get(args.id, caller)));

  server.registerTool('ack_alert', {
    title: 'Acknowledge an alert',
    description: 'Acknowledge an alert by id (from list_alerts or alert_summary): no more notifications for it while it fires; optionally add a note saying why. Needs the operator role.',
    inputSchema: z.object({ id: z.string().min(1).max(100), note: z.string().min(1).max(10_000).optional() }),
    outputSchema: alertView,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  }, (args) => toolResult(async () => {
    return alerts.alerts.ack(args.id, caller, args.note);
  }));

  server.registerTool('silence_alerts', {
    title: 'Silence alerts',
    description: 'Mute every alert whose labels match all the matchers, from now for duration_minutes (no notifications; they still show in list_alerts and alert_summary as muted). Needs the operator role. Returns the silence; list_silences shows them.',
    inputSchema: z.object({ matchers: matchersText.min(1), duration_minutes: z.number().int().min(1).max(525_600), comment: z.string().min(1).max(2000).describe('Why (shown to everyone)') }),
    outputSchema: silenceView,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, (args) => toolResult(() => alerts.silences.create({ matchers: args.matchers.map(parseMatcher), duration_minutes: args.duration_minutes, comment: args.comment }, caller)));

  server.registerTool('list_silences', {
    title: 'List silences',
    description: 'Silences with their matchers, period, author, comment and state (active, pending, expired).',
    inputSchema: z.object({ state: z.enum(['active', 'pending', 'expired', 'all']).default('active'), text_budget: textBudget }),
    outputSchema: silenceList,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, (args) =>
    compactToolResult(
      () => alerts.silences.list(args.state, caller),
      (r) => ({
        header: `${r.items.length} ${args.state === 'all' ? '' : `${args.state} `}silences`,
        lines: r.items.map((s) => `${s.id} ${s.state} ${s.matchers.map(formatMatcher).join(',')} ${s.starts_at}..${s.ends_at} by ${s.created_by}: ${s.comment}`),
      }),
      args.text_budget,
    ));
}
