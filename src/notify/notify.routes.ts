import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fromBody, fromParam } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';
import { principalCaller } from '../secrets/secret-caller.js';
import { channelList, channelParams, channelView, createChannelBody, deliveryList, deliveryQuery, testResult, updateChannelBody } from './notify.schema.js';
import type { NotifyCaller, NotifyService } from './notify.service.js';

const channelTarget = { type: 'notify_channel', id: fromParam('id') };

/**
 * /notifications: channels, "send test", the delivery log. Thin: the service checks permissions and
 * writes the one operation-log row of each change, so handlers mark `auditRecorded`.
 */
export const notifyRoutes: FastifyPluginAsyncZod<{ notify: NotifyService }> = async (app, { notify }) => {
  const tags = ['notifications'];
  const auditedCaller = (req: FastifyRequest): NotifyCaller => {
    req.auditRecorded = true;
    return principalCaller(req.principal!, { ip: req.ip, requestId: req.id });
  };

  app.get('/notifications/channels', {
    config: { auth: 'notify:read' },
    schema: { tags, summary: 'List notification channels (secrets appear only as references)', response: { 200: channelList } },
  }, async (req) => notify.listChannels(principalCaller(req.principal!)));

  app.post('/notifications/channels', {
    config: { auth: 'notify:manage', audit: { action: 'notify.channel.create', target: { type: 'notify_channel', id: fromBody('name') } } },
    schema: { tags, summary: 'Create a channel (webhook, slack, dingtalk, wecom, feishu, telegram, email; secrets as ${secret:NAME})', body: createChannelBody, response: { 201: channelView, ...problems('conflict', 'unprocessable') } },
  }, async (req, reply) => reply.status(201).send(await notify.createChannel(req.body, auditedCaller(req))));

  app.get('/notifications/channels/:id', {
    config: { auth: 'notify:read' },
    schema: { tags, summary: 'A notification channel', params: channelParams, response: { 200: channelView } },
  }, async (req) => notify.getChannel(req.params.id, principalCaller(req.principal!)));

  app.put('/notifications/channels/:id', {
    config: { auth: 'notify:manage', audit: { action: 'notify.channel.update', target: channelTarget } },
    schema: { tags, summary: 'Change a channel (not its name)', params: channelParams, body: updateChannelBody, response: { 200: channelView, ...problems('unprocessable') } },
  }, async (req) => notify.updateChannel(req.params.id, req.body, auditedCaller(req)));

  app.delete('/notifications/channels/:id', {
    config: { auth: 'notify:manage', audit: { action: 'notify.channel.delete', target: channelTarget } },
    schema: { tags, summary: 'Delete a channel and its delivery log', params: channelParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await notify.deleteChannel(req.params.id, auditedCaller(req));
    return reply.status(204).send(null);
  });

  app.post('/notifications/channels/:id/test', {
    config: { auth: 'notify:send', audit: { action: 'notify.channel.test', target: channelTarget } },
    schema: { tags, summary: 'Send a test message now; answers with the delivery (delivered, or pending/failed with the vendor\'s error)', params: channelParams, response: { 200: testResult } },
  }, async (req) => notify.testChannel(req.params.id, auditedCaller(req)));

  app.get('/notifications/deliveries', {
    config: { auth: 'notify:read' },
    schema: { tags, summary: 'The delivery log, newest first (status, attempts, vendor error code)', querystring: deliveryQuery, response: { 200: deliveryList } },
  }, async (req) => notify.listDeliveries(req.query, principalCaller(req.principal!)));
};
