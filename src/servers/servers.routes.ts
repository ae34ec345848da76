import { callerLabel } from '../auth/principal.js';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  callToolBody,
  capabilitiesView,
  createServerBody,
  exportView,
  getPromptBody,
  importBody,
  importReport,
  listServersQuery,
  mcpResult,
  metricsQuery,
  metricsView,
  readResourceBody,
  serverPage,
  serverView,
  statusView,
  stderrQuery,
  stderrView,
  toolParams,
  updateServerBody,
  upstreamProblems,
} from './servers.schema.js';
import type { ServersService } from './servers.service.js';
import { firstOf, fromBody, fromParam, fromReply, type AuditTargetId } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';

const serverTarget = { type: 'server', id: fromParam('tool_id') };

/** The servers an import names (comma-separated), as in the `mcpServers` / `servers` JSON sent. */
const importedNames: AuditTargetId = ({ request }) => {
  const body = request.body as { mcpServers?: object; servers?: object } | undefined;
  const names = [...Object.keys(body?.mcpServers ?? {}), ...Object.keys(body?.servers ?? {})];
  return names.length > 0 ? names.join(',') : null;
};

/** `user:<name>` / `api_key:<name>`: the caller recorded in the protocol log. */
const callerOf = (req: FastifyRequest): string | null => (req.principal ? callerLabel(req.principal) : null);

/**
 * /tools: managed MCP servers (the seed's name for them). Reading is for viewers; starting, stopping
 * and calling for operators; creating or changing a server (command, args, env, cwd, URL: code
 * execution on the host) for admins. Mutating calls are audited by the HTTP hook, which finds the server in `tool_id`.
 */
export const serversRoutes: FastifyPluginAsyncZod<{ servers: ServersService }> = async (app, { servers }) => {
  const tags = ['tools'];
  app.get('/tools', {
    config: { auth: 'servers:read' },
    schema: { tags, summary: 'List managed MCP servers', querystring: listServersQuery, response: { 200: serverPage } },
  }, async (req) => servers.list(req.query, req.serverScope, req.principal?.role));

  app.post('/tools', {
    config: { auth: 'servers:write', audit: { action: 'server.create', target: { type: 'server', id: firstOf(fromReply('id'), fromBody('name')) } } },
    schema: { tags, summary: 'Register an MCP server', body: createServerBody, response: { 201: serverView, ...problems('conflict') } },
  }, async (req, reply) => {
    return reply.status(201).send(await servers.create(req.body));
  });

  app.post('/tools/import', {
    config: { auth: 'servers:write', audit: { action: 'server.import', target: { type: 'server', id: importedNames } } },
    schema: { tags, summary: 'Import an mcpServers JSON (Claude Desktop, Cursor, VS Code)', body: importBody, response: { 200: importReport } },
  }, async (req) => servers.importConfig(req.body));

  app.get('/tools/export', {
    config: { auth: 'servers:write' },
    schema: { tags, summary: 'Export as mcpServers JSON (references stay references; admins only: holds stored values)', response: { 200: exportView } },
  }, async () => servers.exportConfig());

  app.get('/tools/:tool_id', {
    config: { auth: 'servers:read', forwardBy: 'tool_id' },
    schema: { tags, summary: 'One MCP server', params: toolParams, response: { 200: serverView } },
  }, async (req) => servers.get(req.params.tool_id, req.principal?.role));

  app.put('/tools/:tool_id', {
    config: { auth: 'servers:write', forwardBy: 'tool_id', audit: { action: 'server.update', target: serverTarget } },
    schema: { tags, summary: 'Change an MCP server (a running one uses it after a restart)', params: toolParams, body: updateServerBody, response: { 200: serverView, ...problems('conflict') } },
  }, async (req) => servers.update(req.params.tool_id, req.body));

  app.delete('/tools/:tool_id', {
    config: { auth: 'servers:write', forwardBy: 'tool_id', audit: { action: 'server.delete', target: serverTarget } },
    schema: { tags, summary: 'Delete an MCP server (stopping it first)', params: toolParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await servers.delete(req.params.tool_id);
    return reply.status(204).send(null);
  });

  for (const verb of ['start', 'stop', 'restart'] as const) {
    app.post(`/tools/:tool_id/${verb}`, {
      config: { auth: 'servers:operate', forwardBy: 'tool_id', audit: { action: `server.${verb}`, target: serverTarget } },
      schema: { tags, summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} an MCP server`, params: toolParams, response: { 200: statusView, ...problems('conflict', 'unprocessable', 'bad_gateway') } },
    }, async (req) => servers[verb](req.params.tool_id));
  }

  app.get('/tools/:tool_id/status', {
    config: { auth: 'servers:read', forwardBy: 'tool_id' },
    schema: { tags, summary: 'State, pid, restarts, last error and transitions', params: toolParams, response: { 200: statusView } },
  }, async (req) => servers.status(req.params.tool_id));

  app.get('/tools/:tool_id/capabilities', {
    config: { auth: 'servers:read', forwardBy: 'tool_id' },
    schema: { tags, summary: 'The live server\'s tools, resources and prompts, server info and protocol version', params: toolParams, response: { 200: capabilitiesView, ...upstreamProblems } },
  }, async (req) => servers.capabilities(req.params.tool_id, callerOf(req)));

  app.post('/tools/:tool_id/call', {
    config: { auth: 'servers:operate', forwardBy: 'tool_id', audit: { action: 'server.call', target: serverTarget } },
    schema: { tags, summary: 'Call a tool; its MCP result (isError: true when the tool failed)', params: toolParams, body: callToolBody, response: { 200: mcpResult, ...upstreamProblems } },
  }, async (req) => servers.callTool(req.params.tool_id, req.body.tool, req.body.arguments, callerOf(req)));

  app.post('/tools/:tool_id/read-resource', {
    config: { auth: 'servers:operate', forwardBy: 'tool_id', audit: { action: 'server.read_resource', target: serverTarget } },
    schema: { tags, summary: 'Read a resource', params: toolParams, body: readResourceBody, response: { 200: mcpResult, ...upstreamProblems } },
  }, async (req) => servers.readResource(req.params.tool_id, req.body.uri, callerOf(req)));

  app.post('/tools/:tool_id/get-prompt', {
    config: { auth: 'servers:operate', forwardBy: 'tool_id', audit: { action: 'server.get_prompt', target: serverTarget } },
    schema: { tags, summary: 'Get a prompt', params: toolParams, body: getPromptBody, response: { 200: mcpResult, ...upstreamProblems } },
  }, async (req) => servers.getPrompt(req.params.tool_id, req.body.name, req.body.arguments, callerOf(req)));

  app.get('/tools/:tool_id/metrics', {
    config: { auth: 'servers:read', forwardBy: 'tool_id' },
    schema: { tags, summary: 'CPU %, RSS, restarts, uptime, calls, errors, p50/p95 latency as a time series', params: toolParams, querystring: metricsQuery, response: { 200: metricsView, ...problems('unavailable') } },
  }, async (req) => servers.metrics(req.params.tool_id, req.query.since && new Date(req.query.since).toISOString()));

  app.get('/tools/:tool_id/stderr', {
    config: { auth: 'servers:read', forwardBy: 'tool_id' },
    schema: { tags, summary: 'Recent stderr lines of a stdio server (secret values redacted)', params: toolParams, querystring: stderrQuery, response: { 200: stderrView } },
  }, async (req) => servers.stderr(req.params.tool_id, req.query.tail));
};
