import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalCaller, type SecretCaller } from './secret-caller.js';
import {
  createSecretBody,
  listSecretsQuery,
  nameParams,
  revealedSecret,
  revealSecretBody,
  rotateSecretBody,
  secretDetail,
  secretPage,
  updateSecretBody,
  versionParams,
} from './secrets.schema.js';
import type { SecretsService } from './secrets.service.js';
import { fromBody, fromParam } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';

/** Named by the service's own row; this one is for calls refused before the service was reached. */
const secretTarget = { type: 'secret', id: fromParam('name') };

/**
 * /secrets. Handlers stay thin: the service checks permissions again (for MCP tools) and writes the one
 * operation-log row of each call, so handlers mark `auditRecorded` and the audit hook records only
 * calls refused before they get here (401, 403, 400). Values travel only in request bodies (never
 * logged or audited) and in the reveal response.
 */
export const secretsRoutes: FastifyPluginAsyncZod<{ secrets: SecretsService }> = async (app, { secrets }) => {
  const tags = ['secrets'];
  /** The caller of a service method that audits itself (so the hook writes no second row). */
  const auditedCaller = (req: FastifyRequest): SecretCaller => {
    req.auditRecorded = true;
    return principalCaller(req.principal!, { ip: req.ip, requestId: req.id });
  };

  app.get('/secrets', {
    config: { auth: 'secrets:read' },
    schema: { tags, summary: 'List secrets (metadata only, never values)', querystring: listSecretsQuery, response: { 200: secretPage } },
  }, async (req) => secrets.list({ limit: req.query.limit, cursor: req.query.cursor, includeDeleted: req.query.include_deleted }, principalCaller(req.principal!)));

  app.post('/secrets', {
    config: { auth: 'secrets:write', audit: { action: 'secret.create', target: { type: 'secret', id: fromBody('name') } } },
    schema: { tags, summary: 'Create a secret (version 1)', body: createSecretBody, response: { 201: secretDetail, ...problems('conflict') } },
  }, async (req, reply) => {
    return reply.status(201).send(await secrets.create(req.body, auditedCaller(req)));
  });

  app.get('/secrets/:name', {
    config: { auth: 'secrets:read' },
    schema: { tags, summary: 'A secret\'s metadata and versions', params: nameParams, response: { 200: secretDetail } },
  }, async (req) => secrets.get(req.params.name, principalCaller(req.principal!)));

  app.post('/secrets/:name/reveal', {
    config: { auth: 'secrets:reveal', audit: { action: 'secret.reveal', target: secretTarget } },
    schema: { tags, summary: 'Read a value (audited with the reason)', params: nameParams, body: revealSecretBody, response: { 200: revealedSecret } },
  }, async (req) => secrets.reveal(req.params.name, req.body, auditedCaller(req)));

  app.put('/secrets/:name', {
    config: { auth: 'secrets:write', audit: { action: 'secret.update', target: secretTarget } },
    schema: { tags, summary: 'Store a new version (optional check-and-set)', params: nameParams, body: updateSecretBody, response: { 200: secretDetail, ...problems('conflict') } },
  }, async (req) => secrets.update(req.params.name, req.body, auditedCaller(req)));

  app.post('/secrets/:name/rotate', {
    config: { auth: 'secrets:write', audit: { action: 'secret.rotate', target: secretTarget } },
    schema: { tags, summary: 'Rotate: a new value, given or generated; the previous one stays readable for the overlap window', params: nameParams, body: rotateSecretBody, response: { 200: secretDetail, ...problems('conflict') } },
  }, async (req) => secrets.rotate(req.params.name, req.body, auditedCaller(req)));

  app.delete('/secrets/:name', {
    config: { auth: 'secrets:write', audit: { action: 'secret.delete', target: secretTarget } },
    schema: { tags, summary: 'Soft-delete a secret (restorable)', params: nameParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await secrets.delete(req.params.name, auditedCaller(req));
    return reply.status(204).send(null);
  });

  app.post('/secrets/:name/restore', {
    config: { auth: 'secrets:write', audit: { action: 'secret.restore', target: secretTarget } },
    schema: { tags, summary: 'Restore a soft-deleted secret', params: nameParams, response: { 200: secretDetail, ...problems('conflict') } },
  }, async (req) => secrets.restore(req.params.name, auditedCaller(req)));

  app.delete('/secrets/:name/versions/:version', {
    config: { auth: 'secrets:write', audit: { action: 'secret.destroy_version', target: secretTarget } },
    schema: { tags, summary: 'Destroy one version for good (not the current one)', params: versionParams, response: { 204: z.null(), ...problems('conflict') } },
  }, async (req, reply) => {
    await secrets.destroyVersion(req.params.name, req.params.version, auditedCaller(req));
    return reply.status(204).send(null);
  });
};
