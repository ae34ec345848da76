import { describe, expect, it } from 'vitest';
import { reachesGateway, reachOf, serverScopesIn } from './mcp-resources.js';
import { refuseWideningRefresh, resourceScopesOf, type ScopeContext } from './server-scope-grants.js';

class InvalidScope extends Error {
  constructor(
    description: string,
    readonly scope: string,
  ) {
    super(description);
  }
}
const ctx = (oidc: Partial<ScopeContext['oidc']>): ScopeContext => ({ oidc: { entities: {}, ...oidc } });

describe('server scopes', () => {
  it('read server names exactly as server names are validated; anything else of that form is malformed', () => {
    expect(serverScopesIn(['mcp', 'mcp:server:github', 'mcp:server:a-b_1', 'mcp:server:github'])).toEqual({ servers: ['github', 'a-b_1'], malformed: [] });
    expect(serverScopesIn(['mcp:server:', 'mcp:server:Git', 'mcp:server:git*', 'mcp:server:_x']).servers).toEqual([]);
    expect(serverScopesIn(['mcp:server:', 'mcp:server:Git', 'mcp:server:git*', 'mcp:server:_x']).malformed).toHaveLength(4);
  });

  it('narrow the resource, never widen it; a resource outside them reaches nothing', () => {
    expect(reachOf(null, [])).toBeNull();
    expect(reachOf(null, ['a', 'b'])).toEqual(['a', 'b']);
    expect(reachOf(['a'], [])).toEqual(['a']);
    expect(reachOf(['a'], ['a', 'b'])).toEqual(['a']);
    expect(reachOf(['b'], ['a'])).toBe('outside');
  });

  it('let a token use the gateway alone (they imply mcp)', () => {
    expect(reachesGateway(['mcp:server:a'])).toBe(true);
    expect(reachesGateway(['offline_access', 'openid'])).toBe(false);
  });

  it('are offered by the resource per request, so the provider never drops one (which would widen the token)', () => {
    expect(resourceScopesOf(ctx({ params: { scope: 'mcp mcp:server:a' } }), InvalidScope)).toBe('mcp mcp:admin mcp:server:a');
    // At the token endpoint: what the code holds, whatever the request says.
    expect(resourceScopesOf(ctx({ params: { scope: 'mcp' }, entities: { AuthorizationCode: { scope: 'mcp mcp:server:b' } } }), InvalidScope)).toBe('mcp mcp:admin mcp:server:b');
    expect(() => resourceScopesOf(ctx({ params: { scope: 'mcp mcp:server:Nope' } }), InvalidScope)).toThrow(InvalidScope);
  });

  it('refuse a refresh that asks to leave out every server scope of its token', () => {
    const refresh = { RefreshToken: { scope: 'mcp mcp:server:a mcp:server:b offline_access' } };
    expect(() => refuseWideningRefresh(ctx({ params: { scope: 'mcp' }, entities: refresh }), InvalidScope)).toThrow(/limited to MCP servers/);
    expect(() => refuseWideningRefresh(ctx({ params: { scope: 'mcp mcp:server:a' }, entities: refresh }), InvalidScope)).not.toThrow();
    expect(() => refuseWideningRefresh(ctx({ entities: refresh }), InvalidScope)).not.toThrow();
    expect(resourceScopesOf(ctx({ entities: refresh }), InvalidScope)).toBe('mcp mcp:admin mcp:server:a mcp:server:b');
  });
});
