import type { SettingsOf } from '../channel-settings.js';
import { delivered, type DeliveryOutcome } from '../delivery-outcome.js';
import { httpVerdict, isAnswer, postJson, type SendContext } from '../http-post.js';
import type { Language, NotifyMessage } from '../notify-message.js';
import { webhookSignature } from '../signing.js';

/**
 * Generic webhook: POST the message as JSON (`{title, text, severity, fields, url, language}`);
 * with a secret, headers `X-MCPS-Timestamp` (seconds) and `X-MCPS-Signature: sha256=<hex>` over
 * `${timestamp}.${body}`. Any 2xx is delivered.
 */
export async function deliverWebhook(s: SettingsOf<'webhook'>, msg: NotifyMessage, language: Language, ctx: SendContext): Promise<DeliveryOutcome> {
  const body = JSON.stringify({ ...msg, language });
  const ts = Math.floor(ctx.nowMs / 1000);
  const headers: Record<string, string> = s.secret ? { 'x-mcps-timestamp': String(ts), 'x-mcps-signature': webhookSignature(ts, body, s.secret) } : {};
  const answer = await postJson(ctx, s.url, body, headers);
  if (!isAnswer(answer)) return answer;
  return httpVerdict(answer) ?? delivered;
}
