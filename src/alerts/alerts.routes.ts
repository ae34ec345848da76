import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fromBody, fromParam } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';
import { principalCaller, type SecretCaller } from '../secrets/secret-caller.js';
import { ackBody, alertDetail, alertList, alertParams, alertView, createSilenceBody, inhibitRuleBody, inhibitRuleList, inhibitRuleView, listAlertsQuery, noteBody, noteView, silenceList, silencesQuery, silenceView, updateSilenceBody } from './alerts.schema.js';
import type { AlertsRuntime } from './alerts-runtime.js';
import { routeNode } from './route-tree.js';
import { createReceiverBody, receiverList, receiverParams, receiverView, updateReceiverBody } from './receivers.schema.js';

/**
 * /alerts, /silences, /alerts/receivers, /alerts/inhibit-rules. Thin: the services check permissions
 * and write the one operation-log row of each change (handlers mark `auditRecorded`).
 */
export const alertsRoutes: FastifyPluginAsyncZod<{ alerts: AlertsRuntime }> = async (app, { alerts }) => {
  const tags = ['alerts'];
  const caller = (req: FastifyRequest): SecretCaller => principalCaller(req.principal!, { ip: req.ip, requestId: req.id });
  const audited = (req: FastifyRequest): SecretCaller => {
    req.auditRecorded = true;
    return caller(req);
  };
  const alertTarget = { type: 'alert', id: fromParam('id') };

  app.get('/alerts', {
    config: { auth: 'alerts:read' },
    schema: { tags, summary: 'Alerts by group: firing now, or history', querystring: listAlertsQuery, response: { 200: alertList } },
  }, async (req) => alerts.alerts.list(req.query, caller(req)));

  app.get('/alerts/:id', {
    config: { auth: 'alerts:read' },
    schema: { tags, summary: 'An alert with its notes', params: alertParams, response: { 200: alertDetail } },
  }, async (req) => alerts.alerts.get(req.params.id, caller(req)));

  app.post('/alerts/:id/ack', {
    config: { auth: 'alerts:write', audit: { action: 'alert.ack', target: alertTarget } },
    schema: { tags, summary: 'Acknowledge: no more notifications for it; a comment is kept as a note', params: alertParams, body: ackBody, response: { 200: alertView } },
  }, async (req) => alerts.alerts.ack(req.params.id, audited(req), req.body.comment));

  app.post('/alerts/:id/resolve', {
    config: { auth: 'alerts:write', audit: { action: 'alert.resolve', target: alertTarget } },
    schema: { tags, summary: 'Resolve by hand', params: alertParams, response: { 200: alertView } },
  }, async (req) => alerts.alerts.resolve(req.params.id, audited(req)));

  app.post('/alerts/:id/notes', {
    config: { auth: 'alerts:write', audit: { action: 'alert.note.create', target: alertTarget } },
    schema: { tags, summary: 'Add a note', params: alertParams, body: noteBody, response: { 201: noteView } },
  }, async (req, reply) => reply.status(201).send(await alerts.alerts.addNote(req.params.id, req.body.text, audited(req))));

  app.get('/alerts/routing', {
    config: { auth: 'alerts:read' },
    schema: { tags, summary: 'The routing tree (Alertmanager route semantics)', response: { 200: routeNode } },
  }, async (req) => alerts.routing.getTree(caller(req)));

  app.put('/alerts/routing', {
    config: { auth: 'alerts:manage', audit: { action: 'alert.routing.update', target: { type: 'alert_routing', id: () => 'root' } } },
    schema: { tags, summary: 'Replace the routing tree', body: routeNode, response: { 200: routeNode } },
  }, async (req) => alerts.routing.setTree(req.body, audited(req)));

  await silenceRoutes(app, alerts, { tags, caller, audited });
  await ruleRoutes(app, alerts, { tags, caller, audited });
  await receiverRoutes(app, alerts, { tags, caller, audited });
};

interface RouteHelpers {
  tags: string[];
  caller: (req: FastifyRequest) => SecretCaller;
  audited: (req: FastifyRequest) => SecretCaller;
}
type App = Parameters<FastifyPluginAsyncZod>[0];

async function silenceRoutes(app: App, alerts: AlertsRuntime, { tags, caller, audited }: RouteHelpers): Promise<void> {
  const params = z.object({ id: z.string().min(1).max(100) });
  const target = { type: 'alert_silence', id: fromParam('id') };
  app.get('/silences', { config: { auth: 'alerts:read' }, schema: { tags, summary: 'Silences', querystring: silencesQuery, response: { 200: silenceList } } },
    async (req) => alerts.silences.list(req.query.state, caller(req)));
  app.post('/silences', { config: { auth: 'alerts:write', audit: { action: 'alert.silence.create', target: { type: 'alert_silence', id: () => null } } }, schema: { tags, summary: 'Silence alerts matching label matchers for a period', body: createSilenceBody, response: { 201: silenceView } } },
    async (req, reply) => reply.status(201).send(await alerts.silences.create(req.body, audited(req))));
  app.get('/silences/:id', { config: { auth: 'alerts:read' }, schema: { tags, summary: 'A silence', params, response: { 200: silenceView } } },
    async (req) => alerts.silences.get(req.params.id, caller(req)));
  app.put('/silences/:id', { config: { auth: 'alerts:write', audit: { action: 'alert.silence.update', target } }, schema: { tags, summary: 'Change a silence', params, body: updateSilenceBody, response: { 200: silenceView } } },
    async (req) => alerts.silences.update(req.params.id, req.body, audited(req)));
  app.post('/silences/:id/expire', { config: { auth: 'alerts:write', audit: { action: 'alert.silence.expire', target } }, schema: { tags, summary: 'End a silence now', params, response: { 200: silenceView } } },
    async (req) => alerts.silences.expire(req.params.id, audited(req)));
  app.delete('/silences/:id', { config: { auth: 'alerts:write', audit: { action: 'alert.silence.delete', target } }, schema: { tags, summary: 'Delete a silence', params, response: { 204: z.null() } } },
    async (req, reply) => {
      await alerts.silences.remove(req.params.id, audited(req));
      return reply.status(204).send(null);
    });
}

async function ruleRoutes(app: App, alerts: AlertsRuntime, { tags, caller, audited }: RouteHelpers): Promise<void> {
  const params = z.object({ id: z.string().min(1).max(100) });
  const target = { type: 'alert_inhibit_rule', id: fromParam('id') };
  app.get('/alerts/inhibit-rules', { config: { auth: 'alerts:read' }, schema: { tags, summary: 'Inhibition rules', response: { 200: inhibitRuleList } } },
    async (req) => alerts.rules.list(caller(req)));
  app.post('/alerts/inhibit-rules', { config: { auth: 'alerts:manage', audit: { action: 'alert.inhibit_rule.create', target: { type: 'alert_inhibit_rule', id: fromBody('name') } } }, schema: { tags, summary: 'Create an inhibition rule', body: inhibitRuleBody, response: { 201: inhibitRuleView, ...problems('conflict') } } },
    async (req, reply) => reply.status(201).send(await alerts.rules.create(req.body, audited(req))));
  app.put('/alerts/inhibit-rules/:id', { config: { auth: 'alerts:manage', audit: { action: 'alert.inhibit_rule.update', target } }, schema: { tags, summary: 'Replace an inhibition rule', params, body: inhibitRuleBody, response: { 200: inhibitRuleView } } },
    async (req) => alerts.rules.update(req.params.id, req.body, audited(req)));
  app.delete('/alerts/inhibit-rules/:id', { config: { auth: 'alerts:manage', audit: { action: 'alert.inhibit_rule.delete', target } }, schema: { tags, summary: 'Delete an inhibition rule', params, response: { 204: z.null() } } },
    async (req, reply) => {
      await alerts.rules.remove(req.params.id, audited(req));
      return reply.status(204).send(null);
    });
}

async function receiverRoutes(app: App, alerts: AlertsRuntime, { tags, caller, audited }: RouteHelpers): Promise<void> {
  const target = { type: 'alert_receiver', id: fromParam('id') };
  app.get('/alerts/receivers', { config: { auth: 'alerts:read' }, schema: { tags, summary: 'Webhook receivers', response: { 200: receiverList } } },
    async (req) => alerts.receivers.list(caller(req)));
  app.post('/alerts/receivers', { config: { auth: 'alerts:manage', audit: { action: 'alert.receiver.create', target: { type: 'alert_receiver', id: fromBody('name') } } }, schema: { tags, summary: 'Create a webhook receiver (credentials as ${secret:NAME})', body: createReceiverBody, response: { 201: receiverView, ...problems('conflict') } } },
    async (req, reply) => reply.status(201).send(await alerts.receivers.create(req.body, audited(req))));
  app.get('/alerts/receivers/:id', { config: { auth: 'alerts:read' }, schema: { tags, summary: 'A webhook receiver', params: receiverParams, response: { 200: receiverView } } },
    async (req) => alerts.receivers.get(req.params.id, caller(req)));
  app.put('/alerts/receivers/:id', { config: { auth: 'alerts:manage', audit: { action: 'alert.receiver.update', target } }, schema: { tags, summary: 'Change a webhook receiver', params: receiverParams, body: updateReceiverBody, response: { 200: receiverView } } },
    async (req) => alerts.receivers.update(req.params.id, req.body, audited(req)));
  app.delete('/alerts/receivers/:id', { config: { auth: 'alerts:manage', audit: { action: 'alert.receiver.delete', target } }, schema: { tags, summary: 'Delete a webhook receiver', params: receiverParams, response: { 204: z.null() } } },
    async (req, reply) => {
      await alerts.receivers.remove(req.params.id, audited(req));
      return reply.status(204).send(null);
    });
}
