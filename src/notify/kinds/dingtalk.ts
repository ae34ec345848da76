import type { SettingsOf } from '../channel-settings.js';
import { delivered, type DeliveryOutcome, failed } from '../delivery-outcome.js';
import { httpVerdict, isAnswer, postJson, type SendContext } from '../http-post.js';
import type { Language, NotifyMessage } from '../notify-message.js';
import { fit, headline, markdownText } from '../render-message.js';
import { dingtalkSign } from '../signing.js';

/** DingTalk's message limit (20,000 bytes of content). */
const MAX_BYTES = 20_000;
/** 130101: "send too fast" (over 20 messages a minute); 400013/-1: busy. Retried. */
const RETRYABLE = new Set([130101, -1, 400013]);

/**
 * DingTalk custom robot: POST {base}/robot/send?access_token=...[&timestamp=<ms>&sign=<urlencoded base64 HMAC>]
 * with `{msgtype: 'markdown', markdown: {title, text}}`. Keyword mode: the keyword is added when
 * the text lacks it. DingTalk answers HTTP 200 with `{errcode, errmsg}`; errcode 0 is delivered
 * (310000: keyword / signature / IP check failed; 300001: bad token).
 */
export function dingtalkRequest(s: SettingsOf<'dingtalk'>, msg: NotifyMessage, language: Language, nowMs: number): { url: string; body: unknown } {
  const url = new URL('/robot/send', s.base_url ?? 'https://oapi.dingtalk.com');
  url.searchParams.set('access_token', s.access_token);
  if (s.secret) {
    url.searchParams.set('timestamp', String(nowMs));
    url.searchParams.set('sign', dingtalkSign(nowMs, s.secret));
  }
  let text = markdownText(msg, language);
  const suffix = s.keyword && !text.includes(s.keyword) && !msg.title.includes(s.keyword) ? `\n\n${s.keyword}` : '';
  text = fit(text, { unit: 'bytes', max: MAX_BYTES - Buffer.byteLength(suffix) }, language) + suffix;
  const title = [...`${s.keyword && !msg.title.includes(s.keyword) ? `${s.keyword} ` : ''}${headline(msg, language)}`].slice(0, 100).join('');
  return { url: url.toString(), body: { msgtype: 'markdown', markdown: { title, text } } };
}

export async function deliverDingtalk(s: SettingsOf<'dingtalk'>, msg: NotifyMessage, language: Language, ctx: SendContext): Promise<DeliveryOutcome> {
  const req = dingtalkRequest(s, msg, language, ctx.nowMs);
  const answer = await postJson(ctx, req.url, req.body);
  if (!isAnswer(answer)) return answer;
  const code = typeof answer.json?.['errcode'] === 'number' ? (answer.json['errcode'] as number) : null;
  const verdict = httpVerdict(answer, code, String(answer.json?.['errmsg'] ?? ''));
  if (verdict) return verdict;
  if (code === 0) return delivered;
  return failed(code !== null && RETRYABLE.has(code), code, `DingTalk errcode ${code}: ${String(answer.json?.['errmsg'] ?? answer.text.slice(0, 300))}`);
}
