import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { lastEventId, type EventStreams } from '../http/event-streams.js';
import { problems } from '../http/problem.schema.js';
import type { LiveEvents } from '../lib/live-events.js';
import { eventStreamResponse, stderrStreamQuery } from '../logs/logs-stream.schema.js';
import { toolParams } from './servers.schema.js';
import type { ServersService } from './servers.service.js';

/**
 * `GET /tools/{id}/stderr/stream`: a stdio server's stderr as it is written (secret values redacted),
 * one event per line, id = the line's number. A new stream starts with the last `tail` lines; a
 * resumed one (Last-Event-ID) with the kept lines it missed (the ring keeps the last 200).
 */
export const stderrStreamRoutes: FastifyPluginAsyncZod<{ servers: ServersService; live: LiveEvents; streams: EventStreams }> = async (app, deps) => {
  app.get('/tools/:tool_id/stderr/stream', {
    config: { auth: 'servers:read', forwardBy: 'tool_id' },
    schema: {
      tags: ['servers'],
      summary: 'Live stderr of a stdio server (server-sent events)',
      description: 'Each event: `{ "seq": n, "line": "..." }`, id = seq. A heartbeat comment every 15 s.',
      params: toolParams,
      querystring: stderrStreamQuery,
      response: { 200: eventStreamResponse('The stream of stderr lines'), ...problems('unavailable') },
    },
  }, async (req, reply) => {
    const resumeAt = lastEventId(req, req.query.after);
    const { server, lines } = await deps.servers.stderrSince(req.params.tool_id, resumeAt, req.query.tail);
    const stream = deps.streams.start(reply);
    let last = resumeAt ?? 0;
    const send = (l: { seq: number; line: string }) => {
      // A line announced while the kept ones were read may be among them: each number goes once.
      if (l.seq <= last) return;
      last = l.seq;
      stream.send(l.seq, { seq: l.seq, line: l.line });
    };
    for (const l of lines) send(l);
    const off = deps.live.onStderrLine((e) => {
      if (e.server !== server) return;
      // Numbering restarts when the server is registered anew (deleted and created again).
      if (e.seq < last && e.seq === 1) last = 0;
      send(e);
    });
    stream.onClose(off);
    return reply;
  });
};
