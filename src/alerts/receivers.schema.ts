import { z } from 'zod';
import { genericMapping } from './generic-mapping.js';

const secretRef = z.string().max(300).regex(/^\$\{secret:[^}]+\}$/, 'a secret reference: ${secret:NAME} (create the secret first)');
const headerName = z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name');

export const receiverName = z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _');

const receiverFields = {
  token: secretRef.nullable().optional().describe('Bearer token the sender must present, as ${secret:NAME}'),
  hmac_secret: secretRef.nullable().optional().describe('HMAC-SHA256 key over the raw body, as ${secret:NAME}'),
  signature_header: headerName.optional().describe('Header with the hex signature (optionally sha256=...); default X-Signature (grafana: X-Grafana-Alerting-Signature, as Grafana sends it)'),
  timestamp_header: headerName.nullable().optional().describe('Header with Unix seconds, signed as "<timestamp>.<body>"; refused outside the tolerance'),
  tolerance_seconds: z.number().int().min(1).max(86_400).optional().describe('Allowed clock difference for the timestamp (default 300)'),
  mapping: genericMapping.nullable().optional().describe('Generic receivers: where each field is in the body'),
  enabled: z.boolean().optional(),
  description: z.string().max(1000).nullable().optional(),
};

export const createReceiverBody = z.object({
  name: receiverName,
  kind: z.enum(['alertmanager', 'grafana', 'generic']),
  ...receiverFields,
});
export const updateReceiverBody = z.object(receiverFields);

export const receiverView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['alertmanager', 'grafana', 'generic']),
  token: z.string().nullable(),
  hmac_secret: z.string().nullable(),
  signature_header: z.string(),
  timestamp_header: z.string().nullable(),
  tolerance_seconds: z.number().int(),
  mapping: z.unknown().nullable(),
  enabled: z.boolean(),
  description: z.string().nullable(),
  url: z.string().describe('Where the sender posts'),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: 'AlertReceiver' });
export const receiverList = z.object({ items: z.array(receiverView) });
export const receiverParams = z.object({ id: z.string().min(1).max(100) });

export const ingestResult = z.object({
  receiver: z.string(),
  received: z.number().int(),
  stored: z.number().int(),
  resolved: z.number().int(),
  duplicates: z.number().int(),
});

export type CreateReceiverInput = z.infer<typeof createReceiverBody>;
export type UpdateReceiverInput = z.infer<typeof updateReceiverBody>;
export type ReceiverView = z.infer<typeof receiverView>;
