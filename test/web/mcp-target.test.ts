import { describe, expect, it } from 'vitest';
import { mcpTarget, methodWithTarget } from '../../web/src/screens/logs/mcp-target.js';

describe('the MCP log names what a request targets', () => {
  it('reads the tool, prompt or resource a request names from its recorded payload', () => {
    const call = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } });
    expect(methodWithTarget('tools/call', call)).toBe('tools/call · echo');
    expect(mcpTarget('prompts/get', JSON.stringify({ method: 'prompts/get', params: { name: 'greet' } }))).toBe('greet');
    expect(mcpTarget('resources/read', JSON.stringify({ method: 'resources/read', params: { uri: 'file:///a.txt' } }))).toBe('file:///a.txt');
  });

  it('shows the bare method for responses, other methods, payloads cut at the size cap, and rows without a method', () => {
    expect(methodWithTarget('tools/call', JSON.stringify({ jsonrpc: '2.0', id: 3, result: { content: [] } }))).toBe('tools/call');
    expect(methodWithTarget('tools/list', JSON.stringify({ method: 'tools/list', params: { name: 'x' } }))).toBe('tools/list');
    expect(methodWithTarget('tools/call', '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"ec')).toBe('tools/call');
    expect(methodWithTarget('tools/call', JSON.stringify({ params: { name: 42 } }))).toBe('tools/call');
    expect(methodWithTarget(null, null)).toBe('');
  });
});
