import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fromBody, fromParam } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';
import { principalCaller } from '../secrets/secret-caller.js';
import {
  connectionTest,
  createProfileBody,
  downloadBody,
  downloadResult,
  listObjectsQuery,
  objectList,
  profileList,
  profileParams,
  profileView,
  updateProfileBody,
} from './storage.schema.js';
import type { StorageCaller, StorageService } from './storage.service.js';

const profileTarget = { type: 'storage_profile', id: fromParam('id') };

/**
 * /storage: profiles, their objects, downloads. Handlers stay thin: the service checks permissions
 * and writes the one operation-log row of each change, so handlers mark `auditRecorded`.
 */
export const storageRoutes: FastifyPluginAsyncZod<{ storage: StorageService }> = async (app, { storage }) => {
  const tags = ['storage'];
  const auditedCaller = (req: FastifyRequest): StorageCaller => {
    req.auditRecorded = true;
    return principalCaller(req.principal!, { ip: req.ip, requestId: req.id });
  };
  const upstream = problems('bad_gateway', 'gateway_timeout');

  app.get('/storage/profiles', {
    config: { auth: 'storage:read' },
    schema: { tags, summary: 'List storage profiles', response: { 200: profileList } },
  }, async (req) => storage.listProfiles(principalCaller(req.principal!)));

  app.post('/storage/profiles', {
    config: { auth: 'storage:manage', audit: { action: 'storage.profile.create', target: { type: 'storage_profile', id: fromBody('name') } } },
    schema: { tags, summary: 'Create a storage profile (COS or S3-compatible; credentials as ${secret:NAME})', body: createProfileBody, response: { 201: profileView, ...problems('conflict', 'unprocessable') } },
  }, async (req, reply) => reply.status(201).send(await storage.createProfile(req.body, auditedCaller(req))));

  app.get('/storage/profiles/:id', {
    config: { auth: 'storage:read' },
    schema: { tags, summary: 'A storage profile', params: profileParams, response: { 200: profileView } },
  }, async (req) => storage.getProfile(req.params.id, principalCaller(req.principal!)));

  app.put('/storage/profiles/:id', {
    config: { auth: 'storage:manage', audit: { action: 'storage.profile.update', target: profileTarget } },
    schema: { tags, summary: 'Change a storage profile (not its name)', params: profileParams, body: updateProfileBody, response: { 200: profileView, ...problems('unprocessable') } },
  }, async (req) => storage.updateProfile(req.params.id, req.body, auditedCaller(req)));

  app.delete('/storage/profiles/:id', {
    config: { auth: 'storage:manage', audit: { action: 'storage.profile.delete', target: profileTarget } },
    schema: { tags, summary: 'Delete a storage profile (downloaded files stay)', params: profileParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await storage.deleteProfile(req.params.id, auditedCaller(req));
    return reply.status(204).send(null);
  });

  app.post('/storage/profiles/:id/test', {
    config: { auth: 'storage:read', audit: { action: 'storage.profile.test', target: profileTarget } },
    schema: { tags, summary: 'Test the connection: list a few keys under the prefix', params: profileParams, response: { 200: connectionTest, ...upstream } },
  }, async (req) => storage.testProfile(req.params.id, auditedCaller(req)));

  app.get('/storage/profiles/:id/objects', {
    config: { auth: 'storage:read' },
    schema: { tags, summary: 'List objects by prefix, date range and glob (paged)', params: profileParams, querystring: listObjectsQuery, response: { 200: objectList, ...upstream } },
  }, async (req) => storage.listObjects(req.params.id, req.query, principalCaller(req.principal!)));

  app.post('/storage/downloads', {
    config: { auth: 'storage:download', audit: { action: 'storage.download', target: { type: 'storage_profile', id: fromBody('profile') } } },
    schema: { tags, summary: 'Download objects into DATA_DIR/downloads/<profile> (waits until done; a closed connection cancels)', body: downloadBody, response: { 200: downloadResult, ...upstream, ...problems('unprocessable') } },
  }, async (req, reply) => {
    const abort = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableEnded) abort.abort();
    });
    return storage.download(req.body, auditedCaller(req), { signal: abort.signal });
  });
};
