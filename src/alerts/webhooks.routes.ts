import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../http/app-error.js';
import { fromParam, fromQuery } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';
import { exceedsJsonDepth, JSON_TOO_DEEP } from '../lib/json-depth.js';
import type { AlertReceiverRow } from './alerts.table.js';
import { ingestResult, receiverName } from './receivers.schema.js';
import { alertmanagerPayload, grafanaPayload } from './webhook-payloads.js';
import type { WebhooksService } from './webhooks.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received (webhook routes only): what an HMAC signature covers. */
    rawBody?: Buffer;
    /** Set when the body is not JSON; answered 400 only after the sender is authenticated. */
    rawBodyProblem?: string;
    /** The receiver the webhook proved to be. */
    alertReceiver?: AlertReceiverRow;
  }
}

/** Webhook bodies up to 8 MiB: Alertmanager sends every alert of a group in one body. */
export const WEBHOOK_BODY_LIMIT = 8 * 1024 * 1024;

const receiverQuery = z.object({ receiver: receiverName.optional().describe('The receiver to check the credentials of (default: every enabled receiver of this kind)') });
const nameParams = z.object({ name: receiverName });
const genericBody = z.union([z.looseObject({}), z.array(z.unknown())]);

/**
 * POST /webhooks/{alertmanager,grafana,generic/{name}}: alerts in. No user session applies: the
 * sender proves itself with its receiver's token or HMAC signature (`auth: 'receiver'`), checked over
 * the raw body before anything is parsed or stored; 401 otherwise. The 2xx comes only after the commit.
 */
export const webhooksRoutes: FastifyPluginAsyncZod<{ webhooks: WebhooksService }> = async (app, { webhooks }) => {
  const tags = ['alerts'];
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, parseJson(request));
  });

  const authenticate = (kind: AlertReceiverRow['kind']) => async (request: FastifyRequest) => {
    const { name } = (request.params ?? {}) as { name?: string };
    const { receiver } = (request.query ?? {}) as { receiver?: string };
    request.alertReceiver = await webhooks.authenticate(kind, name ?? receiver, { headers: request.headers, rawBody: request.rawBody ?? Buffer.alloc(0) });
    if (request.rawBodyProblem) throw new AppError('bad_request', request.rawBodyProblem);
  };
  const response = { 200: ingestResult, ...problems('unauthorized', 'unavailable') };
  const audit = (id: ReturnType<typeof fromQuery>) => ({ action: 'alert.webhook.receive', target: { type: 'alert_receiver', id } });

  app.post('/webhooks/alertmanager', {
    config: { auth: 'receiver', audit: audit(fromQuery('receiver')) },
    bodyLimit: WEBHOOK_BODY_LIMIT,
    preValidation: authenticate('alertmanager'),
    schema: { tags, summary: 'Alerts from Prometheus Alertmanager (webhook_config, payload version 4)', querystring: receiverQuery, body: alertmanagerPayload, response },
  }, async (req) => webhooks.ingest(req.alertReceiver!, req.body, true));

  app.post('/webhooks/grafana', {
    config: { auth: 'receiver', audit: audit(fromQuery('receiver')) },
    bodyLimit: WEBHOOK_BODY_LIMIT,
    preValidation: authenticate('grafana'),
    schema: { tags, summary: 'Alerts from a Grafana webhook contact point', querystring: receiverQuery, body: grafanaPayload, response },
  }, async (req) => webhooks.ingest(req.alertReceiver!, req.body, true));

  app.post('/webhooks/generic/:name', {
    config: { auth: 'receiver', audit: audit(fromParam('name')) },
    bodyLimit: WEBHOOK_BODY_LIMIT,
    preValidation: authenticate('generic'),
    schema: { tags, summary: 'Alerts from any JSON sender, read through the receiver\'s field mapping', params: nameParams, body: genericBody, response },
  }, async (req) => webhooks.ingest(req.alertReceiver!, req.body));
};

function parseJson(request: FastifyRequest): unknown {
  const text = request.rawBody!.toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    if (exceedsJsonDepth(value)) request.rawBodyProblem = `body is ${JSON_TOO_DEEP}`;
    return value;
  } catch {
    request.rawBodyProblem = 'body is not valid JSON';
    return undefined;
  }
}
