import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service.js';
import {
  allowlistBody,
  allowlistView,
  approveBody,
  approvedResponse,
  catalogueResponse,
  createdGatewayKey,
  createGatewayKeyBody,
  keyIdParams,
  sessionIdParams,
  sessionsResponse,
  toolNameParams,
} from './gateway.schema.js';
import type { GatewayService } from './gateway.service.js';
import { callerLabel } from '../auth/principal.js';
import { firstOf, fromBody, fromParam, fromReply, type AuditTargetId } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';

export interface GatewayRoutesOptions {
  gateway: GatewayService;
  auth: AuthService;
}

/** A session's id is a bearer of the session: the log keeps only its first 8 characters. */
const sessionPrefix: AuditTargetId = (s) => fromParam('id')(s)?.slice(0, 8) ?? null;

/** REST face of the gateway: the catalogue and tool approval, sessions, API-key allowlists. */
export const gatewayRoutes: FastifyPluginAsyncZod<GatewayRoutesOptions> = async (app, opts) => {
  const { gateway } = opts;
  const tags = ['gateway'];

  // Several instances: the catalogue is read where the servers run (no path parameter: the aggregate).
  app.get('/gateway/tools', {
    config: { auth: 'gateway:read', forwardBy: 'catalogue' },
    schema: { tags, summary: 'The aggregated tool catalogue: gateway names, mapping to servers, pin state', response: { 200: catalogueResponse } },
  }, async (req) => ({ separator: gateway.separator, items: await gateway.catalogue(req.principal!) }));

  app.post('/gateway/tools/:name/approve', {
    config: { auth: 'gateway:manage', forwardBy: 'catalogue', audit: { action: 'gateway.tool.approve', target: { type: 'gateway_tool', id: fromParam('name') } } },
    schema: {
      tags,
      summary: 'Approve the changed definition of a quarantined tool',
      params: toolNameParams,
      body: approveBody,
      response: { 200: approvedResponse, ...problems('conflict') },
    },
  }, async (req) => gateway.approve(req.params.name, callerLabel(req.principal!), req.body?.hash, req.serverScope));

  app.get('/gateway/sessions', {
    config: { auth: 'gateway:read' },
    schema: { tags, summary: 'Open gateway sessions', response: { 200: sessionsResponse } },
  }, async (req) => ({ items: gateway.sessions(req.serverScope) }));

  app.delete('/gateway/sessions/:id', {
    config: { auth: 'gateway:manage', audit: { action: 'gateway.session.close', target: { type: 'gateway_session', id: sessionPrefix } } },
    schema: { tags, summary: 'Close a gateway session', params: sessionIdParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await gateway.closeSession(req.params.id);
    return reply.status(204).send(null);
  });

  app.post('/gateway/api-keys', {
    config: { auth: 'api_keys:write', audit: { action: 'api_key.create', target: { type: 'api_key', id: firstOf(fromReply('api_key.id'), fromBody('name')) } } },
    schema: {
      tags,
      summary: 'Create an API key for the gateway, with server and tool allowlists (the key is returned once)',
      body: createGatewayKeyBody,
      response: { 201: createdGatewayKey },
    },
  }, async (req, reply) => {
    const { allowed_servers, allowed_tools, ...key } = req.body;
    const lists = { allowed_servers: allowed_servers ?? null, allowed_tools: allowed_tools ?? null };
    const created = await opts.auth.createApiKey(req.principal!, key, (row) => gateway.policies.insertKey(row, lists));
    return reply.status(201).send({ ...created, allowlist: await gateway.policies.view(created.api_key.id) });
  });

  app.get('/gateway/api-keys/:id/allowlist', {
    config: { auth: 'api_keys:read' },
    schema: { tags, summary: "An API key's gateway allowlists", params: keyIdParams, response: { 200: allowlistView } },
  }, async (req) => {
    await gateway.requireApiKey(req.params.id);
    return gateway.policies.view(req.params.id);
  });

  app.put('/gateway/api-keys/:id/allowlist', {
    config: { auth: 'api_keys:write', audit: { action: 'api_key.allowlist', target: { type: 'api_key', id: fromParam('id') } } },
    schema: { tags, summary: "Set an API key's gateway allowlists (applies to its open sessions at once)", params: keyIdParams, body: allowlistBody, response: { 200: allowlistView } },
  }, async (req) => {
    await gateway.requireApiKey(req.params.id);
    return gateway.policies.set(req.params.id, req.body);
  });
};
