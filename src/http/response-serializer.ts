import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type CompilerInput = Parameters<typeof zodSerializerCompiler>[0];
type Serializer = (data: unknown) => string;

/**
 * Responses are written by fast-json-stringify (Fastify's own serializer) from the JSON Schema of
 * the route's zod response schema, when that schema means the same thing on the way in and on the
 * way out: no transform, codec, default or anything JSON Schema cannot say. Like zod's encode, it
 * writes only the declared properties (an extra column never leaks) and fails on a missing required
 * one; it does not re-check formats or lengths of what the platform itself produced. Other schemas
 * keep zod's encode (fastify-type-provider-zod). Measured in bench/api.ts: zod's encode and copy were
 * about a tenth of a listing's CPU.
 */
export function responseSerializerCompiler(input: CompilerInput): Serializer {
  const json = plainJsonSchema(input.schema);
  if (!json) return zodSerializerCompiler(input);
  return fastJson(json as unknown as Parameters<typeof fastJson>[0]) as Serializer;
}

/** The JSON Schema of `schema` if it is the same as input and as output, with no references; else null. */
export function plainJsonSchema(schema: unknown): Record<string, unknown> | null {
  if (!(schema instanceof z.ZodType)) return null;
  try {
    const opts = { target: 'draft-07', unrepresentable: 'throw', cycles: 'throw', reused: 'inline' } as const;
    const output = z.toJSONSchema(schema, { ...opts, io: 'output' }) as Record<string, unknown>;
    const input = z.toJSONSchema(schema, { ...opts, io: 'input' }) as Record<string, unknown>;
    const text = sameOpenness(JSON.stringify(output));
    if (text.includes('"$ref"') || text !== sameOpenness(JSON.stringify(input))) return null;
    // Without `additionalProperties: false`, fast-json-stringify still writes only the declared
    // properties, and a union's branch is chosen as zod's strip would: extras do not rule one out.
    const plain = JSON.parse(text) as Record<string, unknown>;
    delete plain['$schema'];
    return plain;
  } catch {
    return null;
  }
}

/** Input schemas leave stripping objects open (zod adds `additionalProperties: false` on output only). */
const sameOpenness = (text: string) => text.replaceAll(',"additionalProperties":false', '');
