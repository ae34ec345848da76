import { describe, expect, it } from 'vitest';
import { fromEntry, normalizeServerName, toEntry } from './mcp-servers-json.js';

describe('mcpServers JSON', () => {
  it('normalizes client names to ours', () => {
    expect(normalizeServerName('GitHub Tools')).toBe('github-tools');
    expect(normalizeServerName('__my.server__')).toBe('my-server');
    expect(normalizeServerName('x'.repeat(40))).toBe('x'.repeat(32));
    expect(normalizeServerName('!!!')).toBeNull();
  });

  it('infers the transport from type, command or URL', () => {
    const t = (e: object) => {
      const f = fromEntry('s', e);
      return 'skip' in f ? f.skip : f.transport;
    };
    expect(t({ command: 'npx' })).toBe('stdio');
    expect(t({ url: 'https://h/mcp' })).toBe('streamable-http');
    expect(t({ url: 'https://h/sse' })).toBe('sse');
    expect(t({ url: 'wss://h/ws' })).toBe('websocket');
    expect(t({ type: 'http', url: 'https://h/sse' })).toBe('streamable-http');
    expect(t({ type: 'streamableHttp', url: 'https://h/x' })).toBe('streamable-http');
    expect(t({ type: 'carrier-pigeon', url: 'x' })).toBe('unknown type "carrier-pigeon"');
    expect(t({})).toBe('neither command nor url');
  });

  it('maps disabled and writes entries back in the same shape', () => {
    const f = fromEntry('a', { command: 'node', args: ['x.js'], env: { A: '1' }, disabled: true });
    expect(f).toMatchObject({ name: 'a', enabled: false, command: 'node', args: ['x.js'], env: { A: '1' }, url: null });
    expect(
      toEntry({ name: 'a', description: null, transport: 'sse', command: null, args: [], env: {}, cwd: null, url: 'http://h/sse', headers: {}, enabled: true, auto_start: false, restart_policy: 'never', max_retries: 1, timeout_ms: 1000, tags: [] }),
    ).toEqual({ type: 'sse', url: 'http://h/sse' });
  });
});
