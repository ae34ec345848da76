import { describe, expect, it } from 'vitest';
import { AppError } from '../http/app-error.js';
import { endpointHost, endpointRedactor, parseEndpoint, redactEndpoint } from './endpoint-url.js';

describe('endpoint URLs', () => {
  const url = 'wss://api.xiaozhi.me/mcp/?token=eyJhbGciOiJFUzI1NiJ9.payload.sig&agent=7';

  it('shows an endpoint with every query value and the password hidden', () => {
    expect(redactEndpoint(url)).toBe('wss://api.xiaozhi.me/mcp/?token=***&agent=***');
    expect(redactEndpoint('wss://user:pa55word@host/x')).toBe('wss://user:***@host/x');
    expect(redactEndpoint('not a url with a token')).toBe('***');
    expect(endpointHost(url)).toBe('api.xiaozhi.me');
  });

  it('removes the token from any text, raw or URL-encoded', () => {
    const redact = endpointRedactor(url);
    const line = `connect ${url} failed; token eyJhbGciOiJFUzI1NiJ9.payload.sig; encoded ${encodeURIComponent(url)}`;
    const out = redact(line);
    expect(out).not.toContain('eyJhbGciOiJFUzI1NiJ9');
    expect(out).toContain('wss://api.xiaozhi.me/mcp/?token=***&agent=***');
  });

  it('accepts only ws:// and wss://, without echoing the URL', () => {
    expect(parseEndpoint(' wss://h/mcp?token=x ').host).toBe('h');
    for (const bad of ['http://h/?token=secret1', 'file:///etc/passwd', 'no url secret1', 'wss://']) {
      const err = (() => {
        try {
          parseEndpoint(bad);
        } catch (e) {
          return e as AppError;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(AppError);
      expect(err!.code).toBe('validation');
      expect(err!.message).not.toContain('secret1');
    }
  });
});
