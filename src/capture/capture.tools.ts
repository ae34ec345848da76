import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { toolResult } from '../gateway/mcp-errors.js';
import { captureFields, captureResult, dashboardList } from './capture.schema.js';
import type { CaptureCaller, CaptureService } from './capture.service.js';

export interface CaptureToolsDeps {
  capture: CaptureService;
  /** The MCP client's identity: the same permission checks and audit rows as REST. */
  caller: CaptureCaller;
}

/**
 * Dashboard tools of the log service: list_dashboards, capture_dashboard. The capture comes back as
 * MCP image content (PNG, base64) the client shows, a text with its link, and the metadata.
 */
export function registerCaptureTools(server: McpServer, { capture, caller }: CaptureToolsDeps): void {
  server.registerTool('list_dashboards', {
    title: 'List saved dashboards',
    description: 'The dashboards capture_dashboard can screenshot by name: Grafana dashboards (base URL + uid, default time range and variables) and other pages.',
    inputSchema: z.object({}),
    outputSchema: dashboardList,
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => toolResult(() => capture.listDashboards(caller)));

  server.registerTool('capture_dashboard', {
    title: 'Screenshot a dashboard',
    description:
      'Take a screenshot of a saved dashboard (by name) or of a page URL on an allowed host, after its panels have finished loading. For Grafana: from/to (e.g. now-1h, now), vars (var-NAME values), panel_id for one panel, theme. Returns the PNG image, a link to the stored file, and its metadata; format pdf returns the link only. mode render uses the Grafana image renderer.',
    inputSchema: z.object({
      dashboard: z.string().min(1).max(100).optional().describe('A saved dashboard\'s name or id'),
      url: z.string().max(2000).optional().describe('Or a page URL (its host must be a saved dashboard\'s host or in capture.allowed_hosts)'),
      ...captureFields,
    }),
    outputSchema: captureResult,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  }, async (args) => {
    let image: Buffer | null = null;
    const result = await toolResult(async () => {
      const { data, ...meta } = await capture.capture(args, caller);
      if (meta.format === 'png') image = data;
      return meta;
    });
    if (result.isError) return result;
    const meta = result.structuredContent as z.infer<typeof captureResult>;
    const text = [
      `${meta.format.toUpperCase()} ${meta.width}x${meta.height}, ${meta.bytes} bytes, ${meta.ms} ms: ${meta.dashboard_name ?? meta.url}${meta.time_from ? ` from ${meta.time_from} to ${meta.time_to}` : ''}`,
      `link: ${meta.link}`,
      ...(meta.blocked.length ? [`${meta.blocked.length} requests of the page were blocked by the outbound rules (first: ${meta.blocked[0]!.url}: ${meta.blocked[0]!.reason})`] : []),
    ].join('\n');
    return {
      ...result,
      content: [...(image ? [{ type: 'image' as const, data: (image as Buffer).toString('base64'), mimeType: 'image/png' }] : []), { type: 'text' as const, text }],
    };
  });
}
