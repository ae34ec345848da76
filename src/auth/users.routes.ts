import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { paginationQuery } from '../http/pagination.js';
import { createUserBody, idParams, updateUserBody, userItem, userPage } from './auth.schema.js';
import type { UsersService } from './users.service.js';
import { problems } from '../http/problem.schema.js';

export const usersRoutes: FastifyPluginAsyncZod<{ users: UsersService }> = async (app, { users }) => {
  const tags = ['users'];

  app.get('/users', {
    config: { auth: 'users:read' },
    schema: { tags, summary: 'List users', querystring: paginationQuery.strict(), response: { 200: userPage } },
  }, async (req) => users.list(req.query.limit, req.query.cursor));

  app.post('/users', {
    config: { auth: 'users:write', audit: { action: 'user.create', target: 'user' } },
    schema: { tags, summary: 'Create a user', body: createUserBody, response: { 201: userItem, ...problems('conflict') } },
  }, async (req, reply) => {
    const user = await users.create(req.body);
    req.auditTargetId = user.id;
    return reply.status(201).send(user);
  });

  app.get('/users/:id', {
    config: { auth: 'users:read' },
    schema: { tags, summary: 'Get a user by id or username', params: idParams, response: { 200: userItem } },
  }, async (req) => users.get(req.params.id));

  app.patch('/users/:id', {
    config: { auth: 'users:write', audit: { action: 'user.update', target: 'user' } },
    schema: { tags, summary: 'Change role, disable/enable, or set a new password', params: idParams, body: updateUserBody, response: { 200: userItem, ...problems('conflict') } },
  }, async (req) => users.update(req.params.id, req.body));

  app.delete('/users/:id', {
    config: { auth: 'users:write', audit: { action: 'user.delete', target: 'user' } },
    schema: { tags, summary: 'Delete a user (and their API keys)', params: idParams, response: { 204: z.null(), ...problems('conflict') } },
  }, async (req, reply) => {
    await users.delete(req.params.id, req.principal!.userId);
    return reply.status(204).send(null);
  });
};
