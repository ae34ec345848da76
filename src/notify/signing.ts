import { createHmac } from 'node:crypto';

/**
 * DingTalk robot "加签": sign = urlEncode(base64(HmacSHA256(key = secret, message = `${timestamp}\n${secret}`))),
 * timestamp in milliseconds; both go in the query string. Returned not yet URL-encoded (URLSearchParams encodes it).
 */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/**
 * Feishu / Lark custom bot: sign = base64(HmacSHA256(key = `${timestamp}\n${secret}`, message = "")),
 * timestamp in seconds; both go in the JSON body.
 */
export function feishuSign(timestampS: number, secret: string): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

/** Generic webhook: `sha256=` + hex(HmacSHA256(key = secret, message = `${timestamp}.${body}`)). */
export function webhookSignature(timestampS: number, body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}
