import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { compactToolResult } from '../storage/tool-text.js';
import { severities } from './notify-message.js';
import { channelList, sendResult } from './notify.schema.js';
import type { NotifyCaller, NotifyService } from './notify.service.js';

export interface NotifyToolsDeps {
  notify: NotifyService;
  /** The MCP client's identity: the same permission checks and audit rows as REST. */
  caller: NotifyCaller;
}

/**
 * Notification tools of the log service: list_channels and send_notification. Thin over the notify
 * service, which checks the caller's role (notify:read, notify:send) and audits each send.
 */
export function registerNotifyTools(server: McpServer, { notify, caller }: NotifyToolsDeps): void {
  server.registerTool('list_channels', {
    title: 'List notification channels',
    description: 'The channels notifications can go to (DingTalk, WeCom, Feishu/Lark, Slack, Telegram, email, webhook): name, kind, language, enabled. Tokens and passwords are secret references, never values.',
    inputSchema: z.object({}),
    outputSchema: channelList,
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () =>
    compactToolResult(
      () => notify.listChannels(caller),
      (r) => ({
        header: `${r.items.length} notification channels`,
        lines: r.items.map((c) => `${c.name}\t${c.kind}\t${c.language}\t${c.enabled ? 'enabled' : 'disabled'}${c.description ? `\t${c.description}` : ''}`),
      }),
    ));

  server.registerTool('send_notification', {
    title: 'Send a notification',
    description: 'Queue a message for a channel (name or id from list_channels). It is rendered for the channel (Markdown where it has it, in its language), cut to its length limit, and delivered with retries; the result is the queued delivery (see the delivery log for the outcome).',
    inputSchema: z.object({
      channel: z.string().min(1).max(100).describe('Channel name or id'),
      title: z.string().min(1).max(500),
      text: z.string().max(64 * 1024),
      severity: z.enum(severities).default('info'),
    }),
    outputSchema: sendResult,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  }, (args) =>
    compactToolResult(
      () => notify.send(args.channel, { title: args.title, text: args.text, severity: args.severity }, caller),
      (r) => ({ header: `queued for channel ${r.channel} (delivery ${r.delivery_id}, ${r.status})`, lines: [] }),
    ));
}
