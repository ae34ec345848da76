import { describe, expect, it } from 'vitest';
import { withDefaultScope } from './oauth.routes.js';

describe('an authorization request without a scope', () => {
  it('asks for mcp (else the grant is empty and the provider denies after sign-in)', () => {
    const out = new URLSearchParams(withDefaultScope('/auth?response_type=code&client_id=c&resource=http%3A%2F%2Flocalhost%2Fmcp').split('?')[1]);
    expect(out.get('scope')).toBe('mcp');
    expect(out.get('client_id')).toBe('c');
    expect(out.get('resource')).toBe('http://localhost/mcp');
  });

  it('leaves a request that names its scope, and every other endpoint, as they are', () => {
    expect(withDefaultScope('/auth?scope=mcp%3Aadmin&client_id=c')).toBe('/auth?scope=mcp%3Aadmin&client_id=c');
    expect(withDefaultScope('/auth/abc')).toBe('/auth/abc');
    expect(withDefaultScope('/token?x=1')).toBe('/token?x=1');
  });
});
