import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createHash } from 'node:crypto';
import { type AuditTargetId, firstOf, fromBody, fromParam, fromReply } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';
import { principalCaller, type SecretCaller } from '../secrets/secret-caller.js';
import { checkSpec } from './checks/check-spec.js';
import {
  checkResultView, createdMonitor, createMaintenanceBody, createMonitorBody, historyQuery, historyView, idParams, maintenanceList, maintenanceView,
  monitorList, monitorStatus, monitorView, pushParams, pushQuery, runResultView, schedulerStats, updateMonitorBody,
} from './monitors.schema.js';
import type { MonitorsService } from './monitors.service.js';

/**
 * /monitors (CRUD, status, history, run now, maintenance windows), /health-checks (one check now) and
 * the push URL a job calls. Thin: the service checks permissions and writes the operation log.
 */
export const monitorsRoutes: FastifyPluginAsyncZod<{ monitors: MonitorsService }> = async (app, { monitors }) => {
  const tags = ['monitors'];
  const caller = (req: FastifyRequest): SecretCaller => principalCaller(req.principal!, { ip: req.ip, requestId: req.id });
  const audited = (req: FastifyRequest): SecretCaller => {
    req.auditRecorded = true;
    return caller(req);
  };
  const target = { type: 'monitor', id: fromParam('id') };
  const windowTarget = { type: 'monitor_maintenance', id: fromParam('window_id') };

  app.get('/monitors', { config: { auth: 'monitors:read' }, schema: { tags, summary: 'Monitors with their state and 24 h uptime', response: { 200: monitorList } } },
    async (req) => monitors.list(caller(req)));

  app.post('/monitors', {
    config: { auth: 'monitors:write', audit: { action: 'monitor.create', target: { type: 'monitor', id: fromReply('id') } } },
    schema: { tags, summary: 'Create a monitor (admins; internal hosts allowed, metadata addresses never)', body: createMonitorBody, response: { 201: createdMonitor, ...problems('conflict', 'unprocessable') } },
  }, async (req, reply) => reply.status(201).send(await monitors.create(req.body, audited(req))));

  app.get('/monitors/scheduler', { config: { auth: 'monitors:read' }, schema: { tags, summary: 'The scheduler: monitors scheduled, checks started, start delay percentiles', response: { 200: schedulerStats } } },
    async () => monitors.schedulerStats());

  app.get('/monitors/maintenance', { config: { auth: 'monitors:read' }, schema: { tags, summary: 'Maintenance windows of every monitor (current, upcoming, ended in the last 30 days)', response: { 200: maintenanceList } } },
    async (req) => monitors.listMaintenance(null, caller(req)));

  app.post('/monitors/maintenance', {
    config: { auth: 'monitors:write', audit: { action: 'monitor.maintenance.create', target: { type: 'monitor_maintenance', id: fromReply('id') } } },
    schema: { tags, summary: 'A maintenance window for every monitor: no alert opens during it', body: createMaintenanceBody, response: { 201: maintenanceView } },
  }, async (req, reply) => reply.status(201).send(await monitors.addMaintenance(null, req.body, audited(req))));

  app.delete('/monitors/maintenance/:window_id', {
    config: { auth: 'monitors:write', audit: { action: 'monitor.maintenance.delete', target: windowTarget } },
    schema: { tags, summary: 'Delete a maintenance window', params: z.object({ window_id: z.string().min(1).max(100) }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await monitors.removeMaintenance(req.params.window_id, audited(req));
    return reply.status(204).send(null);
  });

  app.get('/monitors/:id', { config: { auth: 'monitors:read' }, schema: { tags, summary: 'A monitor: state, uptime 24 h / 7 d / 30 d / 365 d, latency percentiles, state changes, maintenance', params: idParams, response: { 200: monitorStatus } } },
    async (req) => monitors.status(req.params.id, caller(req)));

  app.patch('/monitors/:id', {
    config: { auth: 'monitors:write', audit: { action: 'monitor.update', target } },
    schema: { tags, summary: 'Change a monitor', params: idParams, body: updateMonitorBody, response: { 200: monitorView, ...problems('conflict', 'unprocessable') } },
  }, async (req) => monitors.update(req.params.id, req.body, audited(req)));

  app.delete('/monitors/:id', {
    config: { auth: 'monitors:write', audit: { action: 'monitor.delete', target } },
    schema: { tags, summary: 'Delete a monitor (an open alert is resolved)', params: idParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await monitors.remove(req.params.id, audited(req));
    return reply.status(204).send(null);
  });

  app.get('/monitors/:id/history', { config: { auth: 'monitors:read' }, schema: { tags, summary: 'Checks and latency per minute (24h), hour (7d, 30d) or day (365d), and state changes', params: idParams, querystring: historyQuery, response: { 200: historyView } } },
    async (req) => monitors.history(req.params.id, req.query.window, caller(req)));

  app.post('/monitors/:id/run', {
    config: { auth: 'monitors:run', audit: { action: 'monitor.run', target } },
    schema: { tags, summary: 'Run the check now and record it', params: idParams, response: { 200: runResultView } },
  }, async (req) => monitors.runNow(req.params.id, caller(req)));

  app.get('/monitors/:id/maintenance', { config: { auth: 'monitors:read' }, schema: { tags, summary: "The monitor's maintenance windows (and the global ones)", params: idParams, response: { 200: maintenanceList } } },
    async (req) => monitors.listMaintenance(req.params.id, caller(req)));

  app.post('/monitors/:id/maintenance', {
    config: { auth: 'monitors:write', audit: { action: 'monitor.maintenance.create', target } },
    schema: { tags, summary: 'A maintenance window: no alert opens for this monitor during it', params: idParams, body: createMaintenanceBody, response: { 201: maintenanceView } },
  }, async (req, reply) => reply.status(201).send(await monitors.addMaintenance(req.params.id, req.body, audited(req))));

  app.post('/health-checks', {
    config: { auth: 'monitors:check', audit: { action: 'monitor.check', target: { type: 'health_check', id: fromBody('kind') } } },
    schema: { tags, summary: 'Run one check now, not stored (admins)', body: checkSpec, response: { 200: checkResultView, ...problems('unprocessable') } },
  }, async (req) => monitors.check(req.body, audited(req)));

  // A refused push is logged by a digest of its token, never the token (it is the job's credential).
  const tokenDigest: AuditTargetId = ({ request }) => `push:${createHash('sha256').update(String((request.params as { token?: string }).token ?? '')).digest('hex').slice(0, 12)}`;
  const push = async (req: FastifyRequest<{ Params: z.infer<typeof pushParams>; Querystring: z.infer<typeof pushQuery> }>) =>
    monitors.push(req.params.token, req.query.status, req.query.msg, req.query.ping);
  const pushSchema = { tags, params: pushParams, querystring: pushQuery, response: { 200: z.object({ ok: z.literal(true), monitor: z.string(), state: z.string() }), ...problems('unauthorized') } };
  app.get('/monitors/push/:token', { config: { auth: 'receiver' }, schema: { ...pushSchema, summary: 'A push monitor: the job reports in (the token in the URL is its credential)' } }, push);
  app.post('/monitors/push/:token', { config: { auth: 'receiver', audit: { action: 'monitor.push', target: { type: 'monitor', id: firstOf(fromReply('monitor'), tokenDigest) } } }, schema: { ...pushSchema, summary: 'A push monitor: the job reports in (POST)' } }, push);
};
