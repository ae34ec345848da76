import type { CallToolResult } from '@modelcontextprotocol/server';
import { AppError } from '../http/app-error.js';

/**
 * Runs a tool's service call and shapes the MCP result: the object as structured content (and as JSON
 * text for clients that read only text). Expected failures (AppError: not found, forbidden, conflict,
 * bad input) are tool results with `isError`, so the model sees why; anything else is a bug and is
 * rethrown (the SDK answers with a generic error and the platform logs it).
 */
export async function toolResult<T extends object>(run: () => Promise<T>): Promise<CallToolResult> {
  try {
    const value = await run();
    return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value as Record<string, unknown> };
  } catch (err) {
    if (err instanceof AppError) return toolError(err);
    throw err;
  }
}

export function toolError(err: AppError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${err.code}: ${err.message}` }] };
}
