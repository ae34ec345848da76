import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../http/app-error.js';
import {
  createPublicationBody,
  publicationList,
  publicationParams,
  publicationView,
  publishServerBody,
  toolPublishParams,
  updatePublicationBody,
} from './publications.schema.js';
import type { PublicationsService } from './publications.service.js';
import { fromParam, fromReply } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';

const principalOf = (req: FastifyRequest) => {
  if (!req.principal) throw new AppError('unauthorized', 'authentication required');
  return req.principal;
};
const infoOf = (req: FastifyRequest) => ({ ip: req.ip, requestId: req.id });

const serverTarget = { type: 'server', id: fromParam('tool_id') };
const publicationTarget = { type: 'publication', id: fromParam('publication_id') };

/**
 * Publishing (mcp_pipe in the platform): `/tools/{id}/publish` for one managed server, and
 * `/publications` for every publication, including the whole gateway for an API key. Reading for
 * viewers; publishing (an outsider gets to call the tools) for admins. Mutations are audited.
 */
export const publicationsRoutes: FastifyPluginAsyncZod<{ publications: PublicationsService }> = async (app, { publications }) => {
  const tags = ['publications'];

  app.get('/tools/:tool_id/publish', {
    config: { auth: 'publications:read' },
    schema: { tags, summary: 'The publication of an MCP server and its live state', params: toolPublishParams, response: { 200: publicationView } },
  }, async (req) => publications.getForServer(req.params.tool_id));

  app.post('/tools/:tool_id/publish', {
    config: { auth: 'publications:write', audit: { action: 'server.publish', target: serverTarget } },
    schema: {
      tags,
      summary: 'Publish an MCP server to a remote WebSocket endpoint (or change / re-enable its publication)',
      params: toolPublishParams,
      body: publishServerBody,
      response: { 200: publicationView, 201: publicationView },
    },
  }, async (req, reply) => {
    const r = await publications.publishServer(req.params.tool_id, req.body, principalOf(req), infoOf(req));
    return reply.status(r.created ? 201 : 200).send(r.view);
  });

  app.delete('/tools/:tool_id/publish', {
    config: { auth: 'publications:write', audit: { action: 'server.unpublish', target: serverTarget } },
    schema: { tags, summary: 'Stop publishing an MCP server (disconnects; deletes the stored token)', params: toolPublishParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await publications.unpublishServer(req.params.tool_id, principalOf(req), infoOf(req));
    return reply.status(204).send(null);
  });

  app.get('/publications', {
    config: { auth: 'publications:read' },
    schema: { tags, summary: 'Every publication with its live state', response: { 200: publicationList } },
  }, async (req) => publications.list(req.serverScope));

  app.post('/publications', {
    config: { auth: 'publications:write', audit: { action: 'publication.create', target: { type: 'publication', id: fromReply('id') } } },
    schema: { tags, summary: 'Publish the whole gateway (every tool an API key may use) to a remote WebSocket endpoint', body: createPublicationBody, response: { 201: publicationView, ...problems('not_found') } },
  }, async (req, reply) => {
    return reply.status(201).send(await publications.createGateway(req.body, principalOf(req), infoOf(req)));
  });

  app.get('/publications/:publication_id', {
    config: { auth: 'publications:read' },
    schema: { tags, summary: 'One publication', params: publicationParams, response: { 200: publicationView } },
  }, async (req) => publications.get(req.params.publication_id));

  app.patch('/publications/:publication_id', {
    config: { auth: 'publications:write', audit: { action: 'publication.update', target: publicationTarget } },
    schema: { tags, summary: 'Change the endpoint or enable / disable a publication', params: publicationParams, body: updatePublicationBody, response: { 200: publicationView } },
  }, async (req) => publications.update(req.params.publication_id, req.body, principalOf(req), infoOf(req)));

  app.delete('/publications/:publication_id', {
    config: { auth: 'publications:write', audit: { action: 'publication.delete', target: publicationTarget } },
    schema: { tags, summary: 'Stop and remove a publication (deletes its stored token)', params: publicationParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await publications.remove(req.params.publication_id, principalOf(req), infoOf(req));
    return reply.status(204).send(null);
  });
};
