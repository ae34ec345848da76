import { describe, expect, it } from 'vitest';
import { originAllowed } from './origin-check.js';

describe('the /mcp Origin check', () => {
  const configured = ['http://localhost:8000'];
  it('lets non-browser clients (no Origin), configured origins and this server\'s own origin through', () => {
    expect(originAllowed(undefined, 'localhost:9000', configured, 'http')).toBe(true);
    expect(originAllowed('http://localhost:8000', 'other:1', configured, 'http')).toBe(true);
    expect(originAllowed('HTTP://LOCALHOST:8000', 'other:1', configured, 'http')).toBe(true);
    expect(originAllowed('http://127.0.0.1:9000', '127.0.0.1:9000', [], 'http')).toBe(true);
    expect(originAllowed('https://mcps.example', 'mcps.example:443', [], 'https')).toBe(true);
    expect(originAllowed('null', 'localhost', ['*'], 'http')).toBe(true);
  });
  it('compares scheme, host and port: another scheme or port is another origin', () => {
    expect(originAllowed('https://localhost:8000', 'other:1', configured, 'http')).toBe(false);
    expect(originAllowed('http://localhost:8001', 'other:1', configured, 'http')).toBe(false);
    // Same host and port as the request, but not its scheme.
    expect(originAllowed('https://localhost:9000', 'localhost:9000', [], 'http')).toBe(false);
    expect(originAllowed('http://mcps.example', 'mcps.example', [], 'https')).toBe(false);
  });
  it('never lets a null, file: or malformed origin through', () => {
    for (const origin of ['null', 'file://', 'file:///etc/passwd', 'chrome-extension://abc', 'http://localhost:8000/path', 'http://user@localhost:8000', 'not an origin', ''])
      expect(originAllowed(origin, 'localhost:8000', [...configured, 'null', 'file://'], 'http'), origin).toBe(false);
  });
});
