import Fastify from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { plainJsonSchema, responseSerializerCompiler } from './response-serializer.js';

const user = z.object({ id: z.string(), role: z.enum(['admin', 'viewer']), last_login_at: z.string().nullable(), total: z.number().int().optional() });

async function serve(schema: z.ZodType, body: unknown) {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  app.get('/', { schema: { response: { 200: schema } } }, async () => body);
  const res = await app.inject({ url: '/' });
  await app.close();
  return res;
}

describe('response serializer', () => {
  it('writes only the declared properties: an extra column never reaches the client', async () => {
    const res = await serve(user, { id: 'u1', role: 'admin', last_login_at: null, password_hash: 'scrypt$secret' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'u1', role: 'admin', last_login_at: null });
    expect(res.body).not.toContain('secret');
  });

  it('picks a union branch as zod did: extra properties do not rule a branch out, and are not sent', async () => {
    const either = z.union([z.object({ kind: z.literal('a'), a: z.string() }), z.object({ kind: z.literal('b'), b: z.number() })]);
    const res = await serve(either, { kind: 'b', b: 2, row_secret: 'x' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ kind: 'b', b: 2 });
  });

  it('answers 500 when a required property is missing, as zod did', async () => {
    const res = await serve(user, { id: 'u1', role: 'admin' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('u1');
  });

  it('keeps zod for schemas JSON Schema cannot state the same both ways (codecs, defaults, transforms)', async () => {
    const when = z.codec(z.iso.datetime(), z.date(), { decode: (s) => new Date(s), encode: (d) => d.toISOString() });
    expect(plainJsonSchema(z.object({ at: when }))).toBeNull();
    expect(plainJsonSchema(z.object({ n: z.number().default(1) }))).toBeNull();
    expect(plainJsonSchema(z.object({ s: z.string().transform((s) => s.length) }))).toBeNull();
    expect(plainJsonSchema(user)).not.toBeNull();
    const res = await serve(z.object({ at: when }), { at: new Date('2026-01-02T03:04:05.000Z') });
    expect(res.json()).toEqual({ at: '2026-01-02T03:04:05.000Z' });
  });
});
