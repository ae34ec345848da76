import type { SettingsOf } from '../channel-settings.js';
import { delivered, type DeliveryOutcome, failed } from '../delivery-outcome.js';
import { httpVerdict, isAnswer, postJson, type SendContext } from '../http-post.js';
import type { Language, NotifyMessage } from '../notify-message.js';
import { fit, headline, markdownBody } from '../render-message.js';
import { feishuSign } from '../signing.js';

/** 9499 / 11232: request frequency limited. Retried. */
const RETRYABLE = new Set([9499, 11232]);
const COLOR = { critical: 'red', error: 'orange', warning: 'yellow', info: 'blue', resolved: 'green' } as const;

/**
 * Feishu / Lark custom bot: POST {base}/open-apis/bot/v2/hook/<token> with an interactive card
 * (header + markdown; the request body is capped at 20 KB, so the markdown is cut at 18,000 bytes)
 * and, in signed mode, `timestamp` (seconds, as a string) and `sign` in the body. Answers
 * `{code, msg}`; 0 is delivered (19021: signature or timestamp refused; 19024: keyword missing).
 */
export function feishuRequest(s: SettingsOf<'feishu'>, msg: NotifyMessage, language: Language, nowMs: number): { url: string; body: Record<string, unknown> } {
  const url = new URL(`/open-apis/bot/v2/hook/${encodeURIComponent(s.hook_token)}`, s.base_url ?? 'https://open.feishu.cn');
  const ts = Math.floor(nowMs / 1000);
  const body = markdownBody(msg, language);
  const card = {
    header: { template: COLOR[msg.severity], title: { tag: 'plain_text', content: fit(headline(msg, language), { unit: 'chars', max: 200 }, language) } },
    elements: body ? [{ tag: 'markdown', content: fit(body, { unit: 'bytes', max: 18_000 }, language) }] : [],
  };
  const signed = s.secret ? { timestamp: String(ts), sign: feishuSign(ts, s.secret) } : {};
  return { url: url.toString(), body: { ...signed, msg_type: 'interactive', card } };
}

export async function deliverFeishu(s: SettingsOf<'feishu'>, msg: NotifyMessage, language: Language, ctx: SendContext): Promise<DeliveryOutcome> {
  const req = feishuRequest(s, msg, language, ctx.nowMs);
  const answer = await postJson(ctx, req.url, req.body);
  if (!isAnswer(answer)) return answer;
  const code = typeof answer.json?.['code'] === 'number' ? (answer.json['code'] as number) : typeof answer.json?.['StatusCode'] === 'number' ? (answer.json['StatusCode'] as number) : null;
  const verdict = httpVerdict(answer, code, String(answer.json?.['msg'] ?? ''));
  if (verdict) return verdict;
  if (code === 0) return delivered;
  return failed(code !== null && RETRYABLE.has(code), code, `Feishu code ${code}: ${String(answer.json?.['msg'] ?? answer.text.slice(0, 300))}`);
}
