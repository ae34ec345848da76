import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { toolResult } from '../gateway/mcp-errors.js';
import type { SecretCaller } from '../secrets/secret-caller.js';
import type { MonitorsService } from './monitors.service.js';

export interface MonitorsToolsDeps {
  monitors: MonitorsService;
  caller: SecretCaller;
}

const percent = (u: number | null) => (u === null ? 'n/a' : `${(u * 100).toFixed(2)}%`);

/** Monitor tools of the log service: health_check, list_monitors, monitor_status. */
export function registerMonitorsTools(server: McpServer, { monitors, caller }: MonitorsToolsDeps): void {
  server.registerTool('health_check', {
    title: 'Run a health check now',
    description: 'Checks one target now, without storing anything: kind http (target a URL; expect_status, keyword, json_path + json_equals, max_latency_ms, min_cert_days), tcp (host:port), dns (a host name; record_type, expect), postgres (a postgres:// URL, connect + select 1), redis (redis:// URL, PING) or mcp (a managed server name: ping + tools/list). Internal hosts are allowed, cloud metadata addresses never. Needs the admin role. Returns ok, latency, the error and details (status, TLS certificate days left, DNS answer...).',
    inputSchema: z.object({
      kind: z.enum(['http', 'tcp', 'dns', 'postgres', 'redis', 'mcp']),
      target: z.string().min(1).max(4000),
      method: z.enum(['GET', 'HEAD', 'POST']).optional(),
      expect_status: z.array(z.number().int()).max(50).optional(),
      keyword: z.string().max(1000).optional(),
      json_path: z.string().max(500).optional(),
      json_equals: z.string().max(1000).optional(),
      max_latency_ms: z.number().int().optional(),
      min_cert_days: z.number().int().optional(),
      ignore_tls_errors: z.boolean().optional(),
      record_type: z.enum(['A', 'AAAA', 'ANY_ADDRESS', 'CNAME', 'MX', 'TXT', 'NS']).optional(),
      expect: z.string().max(500).optional(),
      timeout_ms: z.number().int().optional(),
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  }, async (args) => {
    const r = await toolResult(() => monitors.check(args, caller));
    if (r.isError || !r.structuredContent) return r;
    const s = r.structuredContent as { ok: boolean; latency_ms: number | null; error: string | null; details: Record<string, unknown> };
    const line = `${s.ok ? 'UP' : 'DOWN'} ${args.kind} ${args.target}${s.latency_ms !== null ? ` in ${s.latency_ms} ms` : ''}${s.error ? `: ${s.error}` : ''}`;
    return { ...r, content: [{ type: 'text', text: `${line}\n${JSON.stringify(s.details)}` }] };
  });

  server.registerTool('list_monitors', {
    title: 'List monitors',
    description: 'Every monitor with its state (up, down, unknown), since when, the last error, 24 h uptime and whether an alert is open or a maintenance window applies.',
    inputSchema: z.object({ state: z.enum(['all', 'up', 'down', 'unknown']).default('all') }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, async (args) => {
    const r = await toolResult(async () => {
      const all = await monitors.list(caller);
      const items = args.state === 'all' ? all.items : all.items.filter((m) => m.state === args.state);
      return { items, total: items.length, down: all.items.filter((m) => m.state === 'down').length };
    });
    if (r.isError || !r.structuredContent) return r;
    const s = r.structuredContent as { items: { name: string; state: string; kind: string; state_since: string | null; last_error: string | null; uptime_24h: number | null; alert_open: boolean; in_maintenance: boolean }[]; down: number };
    const lines = s.items.map((m) => `${m.state.toUpperCase()} ${m.name} (${m.kind}) since ${m.state_since ?? '-'}, 24h ${percent(m.uptime_24h)}${m.alert_open ? ', alert open' : ''}${m.in_maintenance ? ', in maintenance' : ''}${m.state === 'down' && m.last_error ? `: ${m.last_error}` : ''}`);
    return { ...r, content: [{ type: 'text', text: [`${s.items.length} monitors, ${s.down} down`, ...lines].join('\n') }] };
  });

  server.registerTool('monitor_status', {
    title: 'A monitor in detail',
    description: 'One monitor by name or id: state, uptime over 24 h / 7 d / 30 d / 365 d, latency p50/p95/p99, recent state changes and maintenance windows.',
    inputSchema: z.object({ monitor: z.string().min(1).max(100).describe('Name or id') }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, async (args) => {
    const r = await toolResult(() => monitors.status(args.monitor, caller));
    if (r.isError || !r.structuredContent) return r;
    const s = r.structuredContent as Awaited<ReturnType<MonitorsService['status']>>;
    const u = s.uptime;
    const text = [
      `${s.name}: ${s.state.toUpperCase()} since ${s.state_since ?? '-'}${s.last_error ? ` (${s.last_error})` : ''}`,
      `uptime 24h ${percent(u['24h'].uptime)}, 7d ${percent(u['7d'].uptime)}, 30d ${percent(u['30d'].uptime)}, 365d ${percent(u['365d'].uptime)}`,
      `latency 24h p50 ${u['24h'].latency_p50_ms ?? '-'} ms, p95 ${u['24h'].latency_p95_ms ?? '-'} ms, p99 ${u['24h'].latency_p99_ms ?? '-'} ms`,
      ...s.events.slice(0, 10).map((e) => `${e.at} ${e.from_state} -> ${e.to_state}${e.suppressed ? ' (maintenance: no alert)' : ''}${e.reason ? `: ${e.reason}` : ''}`),
    ];
    return { ...r, content: [{ type: 'text', text: text.join('\n') }] };
  });
}

