import { z } from 'zod';

const timeout = z.number().int().min(100).max(120_000).optional().describe('Milliseconds before the check fails (default 10000)');

/** What a check looks at, by kind. `target` is the URL, host:port, name, connection string or server name. */
export const httpCheck = z.object({
  kind: z.literal('http'),
  target: z.string().min(1).max(4000).describe('http:// or https:// URL'),
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  headers: z.record(z.string().max(200), z.string().max(4000)).optional(),
  expect_status: z.array(z.number().int().min(100).max(599)).max(50).optional().describe('Accepted status codes (default: 200-399)'),
  keyword: z.string().min(1).max(1000).optional().describe('Text the body must contain'),
  json_path: z.string().min(1).max(500).optional().describe('A dotted path into a JSON body ($.status, data.items.0.state): it must exist'),
  json_equals: z.string().max(1000).optional().describe('With json_path: the value as text must equal this'),
  max_latency_ms: z.number().int().min(1).max(120_000).optional().describe('Slower than this counts as down'),
  min_cert_days: z.number().int().min(0).max(3650).optional().describe('https: fewer days of certificate validity left counts as down (default 7)'),
  ignore_tls_errors: z.boolean().default(false).describe('Accept a self-signed or expired certificate (days left are still reported)'),
  timeout_ms: timeout,
});
export const tcpCheck = z.object({ kind: z.literal('tcp'), target: z.string().min(1).max(300).describe('host:port'), timeout_ms: timeout });
export const dnsCheck = z.object({
  kind: z.literal('dns'),
  target: z.string().min(1).max(253).describe('A host name'),
  record_type: z.enum(['A', 'AAAA', 'ANY_ADDRESS', 'CNAME', 'MX', 'TXT', 'NS']).default('ANY_ADDRESS').describe('ANY_ADDRESS resolves as the system does (hosts file included)'),
  expect: z.string().max(500).optional().describe('A value the answer must contain'),
  timeout_ms: timeout,
});
export const postgresCheck = z.object({ kind: z.literal('postgres'), target: z.string().min(1).max(4000).describe('postgres:// connection string; a password may be ${secret:NAME}'), timeout_ms: timeout });
export const redisCheck = z.object({ kind: z.literal('redis'), target: z.string().min(1).max(4000).describe('redis:// or rediss:// URL; a password may be ${secret:NAME}'), timeout_ms: timeout });
export const mcpCheck = z.object({ kind: z.literal('mcp'), target: z.string().min(1).max(200).describe('A managed server name'), timeout_ms: timeout });
export const pushCheck = z.object({ kind: z.literal('push'), target: z.string().max(200).default('').describe('Unused: a job calls the push URL'), timeout_ms: timeout });

export const checkSpec = z.discriminatedUnion('kind', [httpCheck, tcpCheck, dnsCheck, postgresCheck, redisCheck, mcpCheck, pushCheck]);
export type CheckSpec = z.infer<typeof checkSpec>;
export type CheckKind = CheckSpec['kind'];

/** What one check found. `ok` false carries a plain error; `details` holds facts (status, cert days...). */
export interface CheckResult {
  ok: boolean;
  latency_ms: number | null;
  error: string | null;
  details: Record<string, unknown>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
