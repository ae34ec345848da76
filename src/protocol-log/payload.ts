import { isSensitiveKey } from '../lib/credential-mask.js';

export interface PayloadOptions {
  /** Longest stored payload in bytes (UTF-8); longer ones are cut and marked. */
  cap: number;
  /** Removes known secret values from the text (e.g. the secrets service's redactor). */
  redact: (text: string) => string;
  /** More key names to redact (compared without case, `-`, `_`, `.`). */
  sensitiveKeys?: ReadonlySet<string>;
}

export const REDACTED = '[REDACTED]';
/** Stored instead of a message too deeply nested to turn into text. */
export const NOT_SERIALISABLE = '[not recorded: the message is nested too deep to serialise]';
/** Secrets longer than this may survive partially at the cut of a capped payload. */
const REDACT_MARGIN = 4096;
/** A cheap first look: only messages with a key like these go through the (slower) replacer. */
const KEY_HINT = /(pass|secret|token|key|auth|cookie|credential|signature|session|pwd)[^"]*"\s*:/i;

/**
 * The stored form of one JSON-RPC message: values under sensitive keys (any depth) replaced,
 * known secret values redacted, then capped at `cap` bytes. `size` is the full message's size.
 */
export function formatPayload(message: unknown, opts: PayloadOptions): { payload: string; size: number } {
  let text: string;
  try {
    text = JSON.stringify(message) ?? 'null';
  } catch (err) {
    // A value nested thousands deep (e.g. from an upstream server; clients are bounded at the edge).
    if (err instanceof RangeError) return { payload: NOT_SERIALISABLE, size: 0 };
    throw err;
  }
  const size = Buffer.byteLength(text);
  if (KEY_HINT.test(text)) {
    text = JSON.stringify(message, (key, value: unknown) =>
      key !== '' && value !== null && value !== undefined && isSensitiveKey(key, opts.sensitiveKeys) ? REDACTED : value,
    );
  }
  // Redact before cutting, so a secret is never split by the cut; but not all of a 50 MB message.
  if (text.length > opts.cap + REDACT_MARGIN) text = text.slice(0, opts.cap + REDACT_MARGIN);
  text = opts.redact(text);
  const bytes = Buffer.byteLength(text);
  if (bytes <= opts.cap) return { payload: text, size };
  const cut = Buffer.from(text, 'utf8').subarray(0, opts.cap).toString('utf8').replace(/\uFFFD+$/, '');
  return { payload: `${cut}…[truncated: ${size} bytes]`, size };
}
