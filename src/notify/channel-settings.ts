import { z } from 'zod';
import { secretRef } from '../secrets/secret-ref-schema.js';

const baseUrl = (fallback: string) => z.url().max(500).optional().describe(`The vendor's API base (default ${fallback}); for proxies and tests`);

export const webhookSettings = z.object({
  kind: z.literal('webhook'),
  url: z.union([z.url().max(2000), secretRef]).describe('Where the JSON is POSTed (a secret reference when the URL holds a token)'),
  secret: secretRef.optional().describe('HMAC-SHA256 key: X-MCPS-Signature: sha256=hex(HMAC(secret, `${X-MCPS-Timestamp}.${body}`))'),
}).strict();

export const slackSettings = z.object({
  kind: z.literal('slack'),
  webhook_url: secretRef.describe('The incoming-webhook URL (it is the credential), as a secret reference'),
}).strict();

export const dingtalkSettings = z.object({
  kind: z.literal('dingtalk'),
  access_token: secretRef,
  secret: secretRef.optional().describe('The robot\'s 加签 secret (SEC...), for signed mode'),
  keyword: z.string().min(1).max(100).optional().describe('Keyword mode: added to every message that lacks it'),
  base_url: baseUrl('https://oapi.dingtalk.com'),
}).strict();

export const wecomSettings = z.object({
  kind: z.literal('wecom'),
  key: secretRef.describe('The robot webhook\'s key'),
  format: z.enum(['markdown', 'text']).optional().describe('markdown (≤ 4,096 bytes, default) or text (≤ 2,048 bytes)'),
  base_url: baseUrl('https://qyapi.weixin.qq.com'),
}).strict();

export const feishuSettings = z.object({
  kind: z.literal('feishu'),
  hook_token: secretRef.describe('The last part of .../open-apis/bot/v2/hook/<token>'),
  secret: secretRef.optional().describe('Signature verification secret'),
  base_url: baseUrl('https://open.feishu.cn (Lark: https://open.larksuite.com)'),
}).strict();

export const telegramSettings = z.object({
  kind: z.literal('telegram'),
  bot_token: secretRef,
  chat_id: z.string().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, 'a numeric chat id or @channelusername'),
  parse_mode: z.enum(['HTML', 'MarkdownV2', 'none']).optional().describe('default HTML'),
  base_url: baseUrl('https://api.telegram.org'),
}).strict();

export const emailSettings = z.object({
  kind: z.literal('email'),
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['starttls', 'tls', 'none']).describe('starttls: upgrade required (587); tls: implicit TLS (465); none: plain (tests, relays on localhost)'),
  username: z.string().max(320).optional(),
  password: secretRef.optional(),
  from: z.string().min(3).max(320),
  to: z.array(z.email()).min(1).max(50),
  ca: z.string().max(20_000).regex(/-----BEGIN CERTIFICATE-----/, 'a PEM certificate').optional().describe('PEM of a private CA the server\'s certificate is signed by (the system CAs otherwise)'),
}).strict();

export const channelSettings = z.discriminatedUnion('kind', [webhookSettings, slackSettings, dingtalkSettings, wecomSettings, feishuSettings, telegramSettings, emailSettings]);
export type ChannelSettings = z.infer<typeof channelSettings>;
export type ChannelKindName = ChannelSettings['kind'];
export type SettingsOf<K extends ChannelKindName> = Extract<ChannelSettings, { kind: K }>;
