import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  cleanupQuery,
  cleanupResponse,
  mcpLogPage,
  mcpLogQuery,
  operationLogPage,
  operationLogQuery,
  statsQuery,
  statsResponse,
  systemLogPage,
  systemLogQuery,
} from './logs.schema.js';
import type { LogsService } from './logs.service.js';
import { fromQuery } from '../http/audit-target.js';

export const logsRoutes: FastifyPluginAsyncZod<{ logs: LogsService }> = async (app, { logs }) => {
  const tags = ['logs'];

  app.get('/logs/system', {
    config: { auth: 'logs:read' },
    schema: { tags, summary: 'System log (warn and above, and lifecycle events)', querystring: systemLogQuery, response: { 200: systemLogPage } },
  }, async (req) => {
    const { limit, cursor, ...f } = req.query;
    return logs.system(f, limit, cursor, req.serverScope);
  });

  app.get('/logs/operations', {
    config: { auth: 'logs:audit:read' },
    schema: { tags, summary: 'Operation (audit) log', querystring: operationLogQuery, response: { 200: operationLogPage } },
  }, async (req) => {
    const { limit, cursor, ...f } = req.query;
    return logs.operations(f, limit, cursor, req.serverScope);
  });

  app.get('/logs/mcp', {
    config: { auth: 'logs:read' },
    schema: { tags, summary: 'MCP protocol log', querystring: mcpLogQuery, response: { 200: mcpLogPage } },
  }, async (req) => {
    const { limit, cursor, ...f } = req.query;
    return logs.mcp(f, limit, cursor, req.serverScope);
  });

  app.get('/logs/stats', {
    config: { auth: 'logs:read' },
    schema: {
      tags,
      summary: 'Counts per type and level/outcome per hour or day',
      description: 'Counted in whole hours: `since` is the start of the hour `days` days ago, and that first hour counts whole. Read from counts kept beside the logs, so the cost follows the hours asked for, not the rows.',
      querystring: statsQuery,
      response: { 200: statsResponse },
    },
  }, async (req) => logs.stats(req.query.bucket, req.query.days, req.serverScope));

  app.delete('/logs/cleanup', {
    config: { auth: 'logs:delete', audit: { action: 'logs.cleanup', target: { type: 'logs', id: fromQuery('type') } } },
    schema: { tags, summary: 'Delete log entries older than N days', querystring: cleanupQuery, response: { 200: cleanupResponse } },
  }, async (req) => ({ deleted: await logs.cleanup(req.query.type, req.query.older_than_days, req.serverScope) }));
};
