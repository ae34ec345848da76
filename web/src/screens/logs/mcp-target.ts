/** Which tool, prompt or resource a request names (`params.name` / `params.uri`), read from its recorded payload. */
const TARGET_KEY: Record<string, 'name' | 'uri'> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'resources/subscribe': 'uri',
  'resources/unsubscribe': 'uri',
};

export function mcpTarget(method: unknown, payload: unknown): string | null {
  const key = typeof method === 'string' ? TARGET_KEY[method] : undefined;
  if (!key || typeof payload !== 'string') return null;
  try {
    const value = (JSON.parse(payload) as { params?: Record<string, unknown> }).params?.[key];
    return typeof value === 'string' ? value : null;
  } catch {
    return null; // a payload cut at the recorder's size cap is not JSON any more
  }
}

/** The method as the MCP log lists it: `tools/call · echo` when the request names its target. */
export function methodWithTarget(method: unknown, payload: unknown): string {
  const target = mcpTarget(method, payload);
  const name = typeof method === 'string' ? method : '';
  return target ? `${name} · ${target}` : name;
}
