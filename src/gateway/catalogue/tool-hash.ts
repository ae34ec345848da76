import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/server';

/** The parts of a tool a model acts on; a change in any of them needs an admin's approval. */
export function pinnedDefinition(tool: Tool): Record<string, unknown> {
  const def: Record<string, unknown> = { name: tool.name };
  if (tool.title !== undefined) def['title'] = tool.title;
  if (tool.description !== undefined) def['description'] = tool.description;
  def['inputSchema'] = tool.inputSchema;
  if (tool.outputSchema !== undefined) def['outputSchema'] = tool.outputSchema;
  if (tool.annotations !== undefined) def['annotations'] = tool.annotations;
  return def;
}

/** JSON with object keys sorted at every level, so equal definitions hash equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function definitionHash(definition: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}
