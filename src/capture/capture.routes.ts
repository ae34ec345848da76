import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fromBody, fromParam } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';
import { principalCaller } from '../secrets/secret-caller.js';
import {
  captureBody,
  captureResult,
  createDashboardBody,
  dashboardList,
  dashboardView,
  idParams,
  screenshotFile,
  screenshotList,
  screenshotsQuery,
  screenshotView,
  updateDashboardBody,
} from './capture.schema.js';
import type { CaptureCaller, CaptureService } from './capture.service.js';

const dashboardTarget = { type: 'dashboard', id: fromParam('id') };
const screenshotTarget = { type: 'screenshot', id: fromParam('id') };

/**
 * /dashboards and /screenshots. Handlers stay thin: the service checks permissions and writes the one
 * operation-log row of each change and capture, so handlers mark `auditRecorded`.
 */
export const captureRoutes: FastifyPluginAsyncZod<{ capture: CaptureService }> = async (app, { capture }) => {
  const tags = ['dashboards'];
  const auditedCaller = (req: FastifyRequest): CaptureCaller => {
    req.auditRecorded = true;
    return principalCaller(req.principal!, { ip: req.ip, requestId: req.id });
  };

  app.get('/dashboards', {
    config: { auth: 'dashboards:read' },
    schema: { tags, summary: 'List saved dashboards', response: { 200: dashboardList } },
  }, async (req) => capture.listDashboards(principalCaller(req.principal!)));

  app.post('/dashboards', {
    config: { auth: 'dashboards:manage', audit: { action: 'dashboard.create', target: { type: 'dashboard', id: fromBody('name') } } },
    schema: { tags, summary: 'Save a dashboard (a page URL, or a Grafana base URL and uid; credentials as ${secret:NAME})', body: createDashboardBody, response: { 201: dashboardView, ...problems('conflict', 'unprocessable') } },
  }, async (req, reply) => reply.status(201).send(await capture.createDashboard(req.body, auditedCaller(req))));

  app.get('/dashboards/:id', {
    config: { auth: 'dashboards:read' },
    schema: { tags, summary: 'A saved dashboard', params: idParams, response: { 200: dashboardView } },
  }, async (req) => capture.getDashboard(req.params.id, principalCaller(req.principal!)));

  app.put('/dashboards/:id', {
    config: { auth: 'dashboards:manage', audit: { action: 'dashboard.update', target: dashboardTarget } },
    schema: { tags, summary: 'Change a saved dashboard (not its name)', params: idParams, body: updateDashboardBody, response: { 200: dashboardView, ...problems('unprocessable') } },
  }, async (req) => capture.updateDashboard(req.params.id, req.body, auditedCaller(req)));

  app.delete('/dashboards/:id', {
    config: { auth: 'dashboards:manage', audit: { action: 'dashboard.delete', target: dashboardTarget } },
    schema: { tags, summary: 'Delete a saved dashboard (its screenshots stay)', params: idParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await capture.deleteDashboard(req.params.id, auditedCaller(req));
    return reply.status(204).send(null);
  });

  app.post('/dashboards/:id/capture', {
    config: { auth: 'dashboards:capture', audit: { action: 'dashboard.capture', target: dashboardTarget } },
    schema: {
      tags,
      summary: 'Capture the dashboard now (PNG or PDF, kept in DATA_DIR/screenshots); waits until the page has settled',
      params: idParams,
      body: captureBody,
      response: { 201: captureResult, ...problems('unprocessable', 'bad_gateway', 'unavailable', 'gateway_timeout') },
    },
  }, async (req, reply) => {
    const { data: _data, ...result } = await capture.capture({ ...req.body, dashboard: req.params.id }, auditedCaller(req));
    return reply.status(201).send(result);
  });

  app.get('/screenshots', {
    config: { auth: 'dashboards:read' },
    schema: { tags, summary: 'List screenshots, newest first', querystring: screenshotsQuery, response: { 200: screenshotList } },
  }, async (req) => capture.listScreenshots(req.query, principalCaller(req.principal!)));

  app.get('/screenshots/:id', {
    config: { auth: 'dashboards:read' },
    schema: { tags, summary: 'A screenshot\'s metadata', params: idParams, response: { 200: screenshotView } },
  }, async (req) => capture.getScreenshot(req.params.id, principalCaller(req.principal!)));

  app.get('/screenshots/:id/file', {
    config: { auth: 'dashboards:read' },
    schema: { tags, summary: 'Download the screenshot (PNG or PDF)', params: idParams, querystring: z.object({ download: z.enum(['0', '1']).optional().describe('1: as an attachment') }), response: { 200: screenshotFile } },
  }, async (req, reply) => {
    const { screenshot, stream } = await capture.openScreenshot(req.params.id, principalCaller(req.principal!));
    const name = `${screenshot.dashboard_name ?? 'capture'}-${screenshot.id}.${screenshot.format}`;
    return reply
      .type(screenshot.mime_type)
      .header('content-length', String(screenshot.bytes))
      .header('cache-control', 'private, max-age=86400')
      .header('content-disposition', `${req.query.download === '1' ? 'attachment' : 'inline'}; filename="${name}"`)
      .send(stream);
  });

  app.delete('/screenshots/:id', {
    config: { auth: 'dashboards:capture', audit: { action: 'screenshot.delete', target: screenshotTarget } },
    schema: { tags, summary: 'Delete a screenshot and its file', params: idParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await capture.deleteScreenshot(req.params.id, auditedCaller(req));
    return reply.status(204).send(null);
  });
};
