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
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
