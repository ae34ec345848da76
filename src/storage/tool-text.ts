import type { CallToolResult } from '@modelcontextprotocol/server';
import { toolResult } from '../gateway/mcp-errors.js';

/** Default size of a tool result's text (the structured content is complete). */
export const DEFAULT_TEXT_BUDGET = 8 * 1024;

/**
 * `toolResult`, with a compact text for a model's context: a header, then one line per item while
 * the budget lasts, then how many lines the text left out and that the structured content has them all.
 */
export async function compactToolResult<T extends object>(run: () => Promise<T>, render: (value: T) => { header: string; lines: string[]; footer?: string | null }, budget = DEFAULT_TEXT_BUDGET): Promise<CallToolResult> {
  const result = await toolResult(run);
  if (result.isError || !result.structuredContent) return result;
  const { header, lines, footer } = render(result.structuredContent as T);
  let text = header;
  let shown = 0;
  for (const line of lines) {
    if (Buffer.byteLength(text) + Buffer.byteLength(line) + 200 > budget) break;
    text += `\n${line}`;
    shown++;
  }
  if (shown < lines.length) text += `\n... ${lines.length - shown} more lines not shown in this text (all are in the structured result; raise text_budget or narrow the request)`;
  if (footer) text += `\n${footer}`;
  return { ...result, content: [{ type: 'text', text }] };
}
