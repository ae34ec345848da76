/**
 * The console's Content-Security-Policy: everything from the platform itself, no inline script or style,
 * no eval, no plugins, no framing. (The API docs keep the looser policy of src/http/security.ts.)
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
