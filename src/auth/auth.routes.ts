import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../http/app-error.js';
import { paginationQuery } from '../http/pagination.js';
import {
  apiKeyItem,
  apiKeyPage,
  changePasswordBody,
  createApiKeyBody,
  createdApiKey,
  idParams,
  loginBody,
  meResponse,
  tokenResponse,
} from './auth.schema.js';
import type { AuthService } from './auth.service.js';
import { meOf } from './session.routes.js';
import type { UsersService } from './users.service.js';
import { firstOf, fromBody, fromParam, fromReply } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';

export interface AuthRoutesOptions {
  auth: AuthService;
  users: UsersService;
  loginMaxPerMinute: number;
}

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, opts) => {
  const tags = ['auth'];
  await app.register(rateLimit, { global: false });

  app.post('/auth/login', {
    config: {
      auth: 'public',
      audit: { action: 'auth.login', target: { type: 'user', id: fromBody('username') } },
      rateLimit: { max: opts.loginMaxPerMinute, timeWindow: '1 minute' },
    },
    schema: { tags, summary: 'Log in with username and password', body: loginBody, response: { 200: tokenResponse, ...problems('unauthorized') } },
  }, async (req) => opts.auth.login(req.body.username, req.body.password, req.ip));

  app.get('/auth/me', {
    config: { auth: 'authenticated' },
    schema: { tags, summary: 'Who am I', response: { 200: meResponse } },
  }, async (req) => meOf(req.principal!));

  app.put('/auth/me/password', {
    config: { auth: 'profile:write', audit: { action: 'auth.change_password', target: { type: 'user', id: ({ request }) => request.principal?.userId ?? null } } },
    schema: { tags, summary: 'Change my own password (ends my other sessions)', body: changePasswordBody, response: { 204: z.null() } },
  }, async (req, reply) => {
    const p = req.principal!;
    if (p.type !== 'user') {
      throw new AppError('forbidden', 'log in with a password to change it; API keys cannot');
    }
    await opts.users.changeOwnPassword(p.userId, req.body.current_password, req.body.new_password);
    return reply.status(204).send(null);
  });

  app.post('/auth/api-keys', {
    config: { auth: 'api_keys:write', audit: { action: 'api_key.create', target: { type: 'api_key', id: firstOf(fromReply('api_key.id'), fromBody('name')) } } },
    schema: { tags, summary: 'Create an API key (the key is returned once)', body: createApiKeyBody, response: { 201: createdApiKey } },
  }, async (req, reply) => {
    return reply.status(201).send(await opts.auth.createApiKey(req.principal!, req.body));
  });

  app.get('/auth/api-keys', {
    config: { auth: 'api_keys:read' },
    schema: { tags, summary: 'List API keys (never the keys themselves)', querystring: paginationQuery.strict(), response: { 200: apiKeyPage } },
  }, async (req) => opts.auth.listApiKeys(req.query.limit, req.query.cursor));

  app.delete('/auth/api-keys/:id', {
    config: { auth: 'api_keys:write', audit: { action: 'api_key.revoke', target: { type: 'api_key', id: fromParam('id') } } },
    schema: { tags, summary: 'Revoke an API key (effective immediately)', params: idParams, response: { 200: apiKeyItem } },
  }, async (req) => opts.auth.revokeApiKey(req.params.id));
};
