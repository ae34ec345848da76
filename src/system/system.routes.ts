import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { metricsQuery, systemInfo, systemMetrics, systemStatus } from './system.schema.js';
import type { SystemService } from './system.service.js';

/** `/system/info`, `/system/status`, `/system/metrics` (viewers and up). */
export const systemRoutes: FastifyPluginAsyncZod<{ system: SystemService }> = async (app, { system }) => {
  const tags = ['system'];
  app.get('/system/info', {
    config: { auth: 'system:read' },
    schema: { tags, summary: 'Version, runtime, OS, CPU, memory, disk, database, Redis, configuration summary', response: { 200: systemInfo } },
  }, async () => system.info());

  app.get('/system/status', {
    config: { auth: 'system:read' },
    schema: { tags, summary: 'Live CPU, load, memory, disk, event-loop lag, handles, HTTP rate and latency, and each managed server', response: { 200: systemStatus } },
  }, async (req) => system.status(req.serverScope));

  app.get('/system/metrics', {
    config: { auth: 'system:read' },
    schema: { tags, summary: 'Host and managed-server time series (in memory, per instance)', querystring: metricsQuery, response: { 200: systemMetrics } },
  }, async (req) => system.metrics(req.query, req.serverScope));
};
