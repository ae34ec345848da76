/** Reading the platform's own OpenAPI document: every operation, its declared permission and its schemas. */

export type JsonSchema = Record<string, any>;

export interface Operation {
  method: string;
  /** The OpenAPI path template, e.g. `/api/v1/tools/{tool_id}`. */
  path: string;
  /** `x-permission`: a permission from the matrix, 'authenticated' or 'public'; undefined when missing. */
  permission: string | undefined;
  pathParams: string[];
  query: { name: string; required: boolean; schema: JsonSchema }[];
  body: JsonSchema | undefined;
  bodyRequired: boolean;
  /** Declared JSON response schemas by status code (absent: nothing declared for that status). */
  responses: Record<string, JsonSchema>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function operationsOf(doc: JsonSchema): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<JsonSchema>(doc['paths'])) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params: JsonSchema[] = (op.parameters ?? []).map((p: JsonSchema) => deref(doc, p));
      const responses: Record<string, JsonSchema> = {};
      for (const [status, r] of Object.entries<JsonSchema>(op.responses ?? {})) {
        const schema = deref(doc, r)?.content?.['application/json']?.schema ?? deref(doc, r)?.content?.['application/problem+json']?.schema;
        if (schema) responses[status] = deref(doc, schema);
      }
      const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
      out.push({
        method: method.toUpperCase(),
        path,
        permission: op['x-permission'],
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name as string),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: p.required === true, schema: deref(doc, p.schema ?? {}) })),
        body: body?.content?.['application/json']?.schema ? deref(doc, body.content['application/json'].schema) : undefined,
        bodyRequired: body?.required === true,
        responses,
      });
    }
  }
  return out;
}

/** `schema` with every local `$ref` inlined (the generated document has no recursive schemas). */
export function deref(doc: JsonSchema, schema: any, depth = 0): any {
  if (depth > 50 || schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map((s) => deref(doc, s, depth + 1));
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
    const target = schema.$ref
      .slice(2)
      .split('/')
      .reduce((node: any, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    return deref(doc, target, depth + 1);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, deref(doc, v, depth + 1)]));
}

/** The path template with each `{param}` replaced by `value(param)`, URL-encoded. */
export function fillPath(path: string, value: (param: string) => string): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(value(name)));
}
