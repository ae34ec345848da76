import type { CallContext } from '../../protocol-log/call-context.js';
import type { ForwardHandle } from '../../servers/connection/forwarding-lane.js';
import type { ClientFeatures, ForwardedSink } from '../../servers/connection/mcp-connection.js';
import type { JSONRPCRequest, CallToolResult, CompleteRequest, CompleteResult, GetPromptResult, Implementation, Progress, Prompt, ReadResourceResult, Resource, ResourceTemplateType, ServerCapabilities, Tool } from '@modelcontextprotocol/server';

export interface UpstreamControls {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Where the server's own requests made for this one go, when its connection can tell (McpConnection's RequestControls). */
  owner?: ClientFeatures;
}

/**
 * One server behind the gateway, as a gateway session uses it: a managed server's shared
 * connection, or a built-in in-process server's client. Lists may be cached by the source.
 */
export interface Upstream {
  readonly name: string;
  readonly kind: 'managed' | 'builtin';
  capabilities(): ServerCapabilities | undefined;
  serverInfo(): Implementation | undefined;
  instructions(): string | undefined;
  listTools(): Promise<Tool[]>;
  listResources(): Promise<Resource[]>;
  listResourceTemplates(): Promise<ResourceTemplateType[]>;
  listPrompts(): Promise<Prompt[]>;
  callTool(name: string, args: Record<string, unknown> | undefined, ctl: UpstreamControls): Promise<CallToolResult>;
  readResource(uri: string, ctl: UpstreamControls): Promise<ReadResourceResult>;
  getPrompt(name: string, args: Record<string, string> | undefined, ctl: UpstreamControls): Promise<GetPromptResult>;
  complete(params: CompleteRequest['params'], ctl: UpstreamControls): Promise<CompleteResult>;
  /** Raw forwarding of one request (a managed server's connection only; see McpConnection.forward). */
  forward?(request: JSONRPCRequest, sink: ForwardedSink, owner?: ClientFeatures, timeoutMs?: number, context?: CallContext): Promise<ForwardHandle>;
}
