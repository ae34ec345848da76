import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fromReply, type AuditSource } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';
import { principalCaller, type SecretCaller as Caller } from '../secrets/secret-caller.js';
import {
  analyzeInput, analyzeOutput, compareInput, compareOutput, exportInput, exportNameParams, exportOutput, searchInput, searchOutput, templatesInput, templatesOutput,
} from './analyzer.schema.js';
import type { AnalyzerService, RunControl } from './analyzer.service.js';

/** What an analysis read: its files (as given, the first few), or `inline` for text passed in the body. */
const logsRead = {
  type: 'logs',
  id: ({ request }: AuditSource) => {
    const body = request.body as { files?: string[]; text?: string } | undefined;
    const files = body?.files ?? [];
    if (files.length === 0) return body?.text !== undefined ? 'inline' : null;
    return files.length > 3 ? `${files.slice(0, 3).join(',')} (+${files.length - 3})` : files.join(',');
  },
};

const reportFile = {
  description: 'The report (JSON, CSV or Markdown)',
  content: {
    'application/json': { schema: z.any().meta({ type: 'string', format: 'binary' }) },
    'text/csv': { schema: z.any().meta({ type: 'string', format: 'binary' }) },
    'text/markdown': { schema: z.any().meta({ type: 'string', format: 'binary' }) },
  },
};

/**
 * /analyzer: the log-analysis tools over REST. Thin: the service checks logs:analyze / logs:export
 * again and records exports itself. Reading a file is audited by the hook (who read what, as for any
 * POST); a request that the client abandons stops the reading.
 */
export const analyzerRoutes: FastifyPluginAsyncZod<{ analyzer: AnalyzerService }> = async (app, { analyzer }) => {
  const tags = ['analyzer'];
  const caller = (req: FastifyRequest): Caller => principalCaller(req.principal!, { ip: req.ip, requestId: req.id });
  const errors = problems('forbidden', 'not_found', 'unprocessable');

  app.post('/analyzer/analyze', {
    config: { auth: 'logs:analyze', audit: { action: 'analyzer.analyze', target: logsRead } },
    schema: { tags, summary: 'Summarize logs: levels, histogram, top errors, access-log statuses and latencies', body: analyzeInput, response: { 200: analyzeOutput, ...errors } },
  }, async (req, reply) => analyzer.analyze(req.body, caller(req), control(reply)));

  app.post('/analyzer/search', {
    config: { auth: 'logs:analyze', audit: { action: 'analyzer.search', target: logsRead } },
    schema: { tags, summary: 'Find entries by text or RE2 regex, with context', body: searchInput, response: { 200: searchOutput, ...errors } },
  }, async (req, reply) => analyzer.search(req.body, caller(req), control(reply)));

  app.post('/analyzer/templates', {
    config: { auth: 'logs:analyze', audit: { action: 'analyzer.templates', target: logsRead } },
    schema: { tags, summary: 'Mine templates (Drain); with `model`, extend and save a named model', body: templatesInput, response: { 200: templatesOutput, ...errors } },
  }, async (req, reply) => analyzer.templates(req.body, caller(req), control(reply)));

  app.post('/analyzer/compare', {
    config: { auth: 'logs:analyze', audit: { action: 'analyzer.compare', target: logsRead } },
    schema: { tags, summary: 'Compare an incident window with a baseline: new, grown, vanished templates', body: compareInput, response: { 200: compareOutput, ...errors } },
  }, async (req, reply) => analyzer.compare(req.body, caller(req), control(reply)));

  app.post('/analyzer/exports', {
    config: { auth: 'logs:export', audit: { action: 'analyzer.export', target: { type: 'report', id: fromReply('name') } } },
    schema: { tags, summary: 'Run an analysis and save it as JSON, CSV or Markdown in the exports folder', body: exportInput, response: { 201: exportOutput, ...errors } },
  }, async (req, reply) => {
    req.auditRecorded = true;
    return reply.status(201).send(await analyzer.exportReport(req.body, caller(req), control(reply)));
  });

  app.get('/analyzer/exports/:name', {
    config: { auth: 'logs:analyze' },
    schema: { tags, summary: 'Download a saved report', params: exportNameParams, response: { 200: reportFile, ...problems('not_found') } },
  }, async (req, reply) => {
    const file = await analyzer.exportFile(req.params.name, caller(req));
    return reply
      .type(file.contentType)
      .header('content-length', String(file.size))
      .header('content-disposition', `attachment; filename="${req.params.name}"`)
      .send(createReadStream(file.path));
  });
};

/** Stops reading when the client goes away. */
function control(reply: FastifyReply): RunControl {
  const abort = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  return { signal: abort.signal };
}
