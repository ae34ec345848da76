import type { SettingsOf } from '../channel-settings.js';
import { delivered, type DeliveryOutcome, failed } from '../delivery-outcome.js';
import { httpVerdict, isAnswer, postJson, type SendContext } from '../http-post.js';
import type { Language, NotifyMessage } from '../notify-message.js';
import { fit, markdownText, plainText } from '../render-message.js';

/** 45009: API frequency over the limit (20 a minute per robot); -1: system busy. Retried. */
const RETRYABLE = new Set([45009, -1]);

/**
 * WeCom group robot: POST {base}/cgi-bin/webhook/send?key=KEY with `{msgtype: 'markdown',
 * markdown: {content}}` (≤ 4,096 UTF-8 bytes) or `{msgtype: 'text', text: {content}}` (≤ 2,048
 * bytes). Answers `{errcode, errmsg}`; 0 is delivered (93000: invalid key).
 */
export function wecomRequest(s: SettingsOf<'wecom'>, msg: NotifyMessage, language: Language): { url: string; body: unknown } {
  const url = new URL('/cgi-bin/webhook/send', s.base_url ?? 'https://qyapi.weixin.qq.com');
  url.searchParams.set('key', s.key);
  const body = (s.format ?? 'markdown') === 'markdown'
    ? { msgtype: 'markdown', markdown: { content: fit(markdownText(msg, language), { unit: 'bytes', max: 4096 }, language) } }
    : { msgtype: 'text', text: { content: fit(plainText(msg, language), { unit: 'bytes', max: 2048 }, language) } };
  return { url: url.toString(), body };
}

export async function deliverWecom(s: SettingsOf<'wecom'>, msg: NotifyMessage, language: Language, ctx: SendContext): Promise<DeliveryOutcome> {
  const req = wecomRequest(s, msg, language);
  const answer = await postJson(ctx, req.url, req.body);
  if (!isAnswer(answer)) return answer;
  const code = typeof answer.json?.['errcode'] === 'number' ? (answer.json['errcode'] as number) : null;
  const verdict = httpVerdict(answer, code, String(answer.json?.['errmsg'] ?? ''));
  if (verdict) return verdict;
  if (code === 0) return delivered;
  return failed(code !== null && RETRYABLE.has(code), code, `WeCom errcode ${code}: ${String(answer.json?.['errmsg'] ?? answer.text.slice(0, 300))}`);
}
