import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { roleHas } from '../auth/permissions.js';
import { AppError } from '../http/app-error.js';
import { lastEventId, type EventStreams } from '../http/event-streams.js';
import { problems } from '../http/problem.schema.js';
import type { LiveEvents } from '../lib/live-events.js';
import { followLog } from './log-tail.js';
import { eventStreamResponse, logStreamQuery } from './logs-stream.schema.js';
import type { LogsService, TailQuery } from './logs.service.js';

/**
 * `GET /logs/stream`: a log's new rows as server-sent events, with the list route's filters and
 * permission. Each event's id is the row id; a client that reconnects with Last-Event-ID gets what
 * it missed (bounded) before the new rows. Rows another instance writes arrive within the poll.
 */
export const logsStreamRoutes: FastifyPluginAsyncZod<{ logs: LogsService; live: LiveEvents; streams: EventStreams; pollMs?: number }> = async (app, deps) => {
  app.get('/logs/stream', {
    config: { auth: 'logs:read' },
    schema: {
      tags: ['logs'],
      summary: 'Live tail of a log (server-sent events)',
      description: 'Events carry one row each (as the list routes return them), id = row id. A `gap` event says rows were skipped on a long resume. A heartbeat comment every 15 s. kind=operations needs logs:audit:read.',
      querystring: logStreamQuery,
      response: { 200: eventStreamResponse('The stream of new rows'), ...problems('unavailable') },
    },
  }, async (req, reply) => {
    const { kind, after, ...filters } = req.query;
    if (kind === 'operations' && !roleHas(req.principal!.role, 'logs:audit:read')) {
      throw new AppError('forbidden', `role '${req.principal!.role}' lacks permission 'logs:audit:read'`);
    }
    const query = { kind, ...filters } as TailQuery;
    const scope = req.serverScope;
    // Scope and filters are checked before the stream opens, so a refusal is a plain problem+json answer.
    await deps.logs.tail(query, null, 1, scope);
    const stream = deps.streams.start(reply);
    void followLog({
      kind,
      rows: (from, limit) => deps.logs.tail(query, from, limit, scope),
      live: deps.live,
      stream,
      after: lastEventId(req, after),
      ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
      onError: (err) => req.log.error({ err }, 'log stream failed'),
    }).catch((err: unknown) => {
      req.log.error({ err }, 'log stream failed');
      stream.close();
    });
    return reply;
  });
};
