import { z } from 'zod';
import { LEVEL_NUMBERS } from './logs.service.js';

/** The filters each log's stream takes (those of its list route, without the time range). */
const FIELDS = {
  system: ['level', 'q'],
  operations: ['actor', 'action', 'outcome', 'target'],
  mcp: ['server', 'method', 'outcome', 'caller', 'q'],
} as const;

const OUTCOMES = { operations: ['success', 'failure'], mcp: ['ok', 'error'] } as const;

export const logStreamQuery = z
  .object({
    kind: z.enum(['system', 'operations', 'mcp']).default('system').describe('The log to follow (operations needs logs:audit:read)'),
    after: z.coerce.number().int().min(0).optional().describe('Start after this row id (as Last-Event-ID, which wins when sent)'),
    level: z.enum(Object.keys(LEVEL_NUMBERS) as [keyof typeof LEVEL_NUMBERS]).optional().describe('system: this level and above'),
    q: z.string().min(1).max(200).optional().describe('system: text in the message or context; mcp: text in the payload'),
    actor: z.string().max(200).optional(),
    action: z.string().max(200).optional(),
    target: z.string().max(200).optional(),
    outcome: z.enum(['success', 'failure', 'ok', 'error']).optional().describe('operations: success|failure; mcp: ok|error'),
    server: z.string().max(64).optional(),
    method: z.string().max(200).optional(),
    caller: z.string().max(200).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const allowed: readonly string[] = FIELDS[v.kind];
    for (const key of Object.keys(v)) {
      if (key === 'kind' || key === 'after' || allowed.includes(key) || v[key as keyof typeof v] === undefined) continue;
      ctx.addIssue({ code: 'custom', path: [key], message: `${key} is not a filter of the ${v.kind} log (its filters: ${allowed.join(', ')})` });
    }
    if (v.outcome && v.kind !== 'system' && !(OUTCOMES[v.kind] as readonly string[]).includes(v.outcome)) {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: `outcome of the ${v.kind} log is one of ${OUTCOMES[v.kind].join(', ')}` });
    }
  });

export const stderrStreamQuery = z
  .object({
    tail: z.coerce.number().int().min(0).max(1000).default(100).describe('Recent lines sent first on a new stream (not on a resume)'),
    after: z.coerce.number().int().min(0).optional().describe('Start after this line number (as Last-Event-ID, which wins when sent)'),
  })
  .strict();

/** The 200 answer of a stream route in the OpenAPI document. */
export function eventStreamResponse(description: string) {
  return {
    description,
    content: { 'text/event-stream': { schema: z.any().meta({ type: 'string', description: 'Server-sent events: `id:` and JSON `data:` per event; `: heartbeat` comments' }) } },
  };
}
