import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { paginationQuery } from '../http/pagination.js';
import { createUserBody, idParams, updateUserBody, userItem, userPage } from './auth.schema.js';
import type { UsersService } from './users.service.js';
import { firstOf, fromBody, fromParam, fromReply } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';

const userTarget = { type: 'user', id: fromParam('id') };

export const usersRoutes: FastifyPluginAsyncZod<{ users: UsersService }> = async (app, { users }) => {
  const tags = ['users'];

  app.get('/users', {
    config: { auth: 'users:read' },
    schema: { tags, summary: 'List users', querystring: paginationQuery.strict(), response: { 200: userPage } },
  }, async (req) => users.list(req.query.limit, req.query.cursor));

  app.post('/users', {
    config: { auth: 'users:write', audit: { action: 'user.create', target: { type: 'user', id: firstOf(fromReply('id'), fromBody('username')) } } },
    schema: { tags, summary: 'Create a user', body: createUserBody, response: { 201: userItem, ...problems('conflict') } },
  }, async (req, reply) => {
    return reply.status(201).send(await users.create(req.body));
  });

  app.get('/users/:id', {
    config: { auth: 'users:read' },
    schema: { tags, summary: 'Get a user by id or username', params: idParams, response: { 200: userItem } },
  }, async (req) => users.get(req.params.id));

  app.patch('/users/:id', {
    config: { auth: 'users:write', audit: { action: 'user.update', target: userTarget } },
    schema: { tags, summary: 'Change role, disable/enable, or set a new password', params: idParams, body: updateUserBody, response: { 200: userItem, ...problems('conflict') } },
  }, async (req) => users.update(req.params.id, req.body));

  app.delete('/users/:id', {
    config: { auth: 'users:write', audit: { action: 'user.delete', target: userTarget } },
    schema: { tags, summary: 'Delete a user (and their API keys)', params: idParams, response: { 204: z.null(), ...problems('conflict') } },
  }, async (req, reply) => {
    await users.delete(req.params.id, req.principal!.userId);
    return reply.status(204).send(null);
  });
};
