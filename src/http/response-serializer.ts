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
  let serialize: Serializer | null = null;
  return (data) => (serialize ??= fastSerializer(input.schema) ?? zodSerializerCompiler(input))(data);
}

/**
 * Built on a route's first response, not at start: the routes hold ~1,500 response schemas (241
 * distinct; the problem schemas are shared), and compiling them all took ~0.7 s of a 1.3 s start.
 */
const built = new WeakMap<object, Serializer | null>();
function fastSerializer(schema: unknown): Serializer | null {
  if (typeof schema !== 'object' || schema === null) return null;
  if (!built.has(schema)) {
    const json = plainJsonSchema(schema);
    built.set(schema, json && (fastJson(json as unknown as Parameters<typeof fastJson>[0]) as Serializer));
  }
  return built.get(schema)!;
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
