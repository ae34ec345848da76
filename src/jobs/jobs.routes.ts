import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fromParam, fromReply } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';
import { principalCaller, type SecretCaller } from '../secrets/secret-caller.js';
import { batchDetail, batchList, batchParams, batchView, itemsQuery, listBatchesQuery, startBatchBody } from './jobs.schema.js';
import type { JobsService } from './jobs.service.js';

/**
 * /jobs: batches (one operation over many items). Thin: the service checks permissions (jobs:* and
 * what the operation needs) and writes the one operation-log row of a start or cancel.
 */
export const jobsRoutes: FastifyPluginAsyncZod<{ jobs: JobsService }> = async (app, { jobs }) => {
  const tags = ['jobs'];
  const auditedCaller = (req: FastifyRequest): SecretCaller => {
    req.auditRecorded = true;
    return principalCaller(req.principal!, { ip: req.ip, requestId: req.id });
  };

  app.get('/jobs', {
    config: { auth: 'jobs:read' },
    schema: { tags, summary: 'List batches, newest first', querystring: listBatchesQuery, response: { 200: batchList } },
  }, async (req) => jobs.list(req.query, principalCaller(req.principal!)));

  app.post('/jobs', {
    config: { auth: 'jobs:write', audit: { action: 'job.batch.start', target: { type: 'job_batch', id: fromReply('id') } } },
    schema: {
      tags,
      summary: 'Start a batch: download_analyze (each key of a date range downloaded and analyzed) or call_tool (a server tool once per input)',
      body: startBatchBody,
      response: { 201: batchView, ...problems('unprocessable', 'bad_gateway', 'gateway_timeout') },
    },
  }, async (req, reply) => reply.status(201).send(await jobs.start(req.body, auditedCaller(req), { scope: req.serverScope })));

  app.get('/jobs/:id', {
    config: { auth: 'jobs:read' },
    schema: { tags, summary: 'A batch with its progress and a page of its items', params: batchParams, querystring: itemsQuery, response: { 200: batchDetail } },
  }, async (req) => jobs.get(req.params.id, req.query, principalCaller(req.principal!)));

  app.post('/jobs/:id/cancel', {
    config: { auth: 'jobs:write', audit: { action: 'job.batch.cancel', target: { type: 'job_batch', id: fromParam('id') } } },
    schema: { tags, summary: 'Cancel a running batch (waiting items never start; running ones stop)', params: batchParams, response: { 200: batchView, ...problems('conflict') } },
  }, async (req) => jobs.cancel(req.params.id, auditedCaller(req)));
};
