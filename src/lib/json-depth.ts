/**
 * The deepest nesting of arrays and objects accepted from outside (REST bodies, MCP messages on
 * /mcp, /mcp/{server}, /messages, `mcps log-service` stdin, pipe frames). Deeper values overflow the
 * stack in JSON.stringify and friends further in, so they are refused at the edge.
 */
export const MAX_JSON_DEPTH = 64;

/** The message every refusal carries (REST problem detail, JSON-RPC error message). */
export const JSON_TOO_DEEP = `JSON nested deeper than ${MAX_JSON_DEPTH} levels (arrays and objects); the limit is ${MAX_JSON_DEPTH}`;

/**
 * True when `value` nests arrays/objects deeper than `max`. Iterative (no recursion, so it cannot
 * overflow itself) and stops at the first path past the limit.
 */
export function exceedsJsonDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  // Two parallel stacks (no tuple per node): the containers still to look into, and their depths.
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return true;
    // No closure per container (every message and body passes through here).
    const children = Array.isArray(v) ? (v as unknown[]) : Object.values(v);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
