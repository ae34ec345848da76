import type { SettingsOf } from '../channel-settings.js';
import { cutText } from '../cut-text.js';
import { delivered, type DeliveryOutcome } from '../delivery-outcome.js';
import { httpVerdict, isAnswer, postJson, type SendContext } from '../http-post.js';
import { headline, plainText } from '../render-message.js';
import { wordsFor } from '../message-words.js';
import type { Language, NotifyMessage } from '../notify-message.js';

const mrkdwnEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Slack incoming webhook: `text` (the notification fallback) and Block Kit `blocks`: a header
 * (plain_text ≤ 150 chars), a section (mrkdwn ≤ 3,000 chars), fields (≤ 10, 2,000 chars each) and a
 * link. Slack answers 200 `ok`, or 400/403/404/410 with a plain-text error (`invalid_payload`,
 * `no_service`...), 429 with Retry-After.
 */
export function slackBody(msg: NotifyMessage, language: Language): Record<string, unknown> {
  const mark = wordsFor(language).truncated;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cutText(headline(msg, language), { unit: 'chars', max: 150 }, mark), emoji: true } },
  ];
  if (msg.text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cutText(mrkdwnEscape(msg.text), { unit: 'chars', max: 3000 }, mark) } });
  if (msg.fields?.length)
    blocks.push({ type: 'section', fields: msg.fields.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: cutText(`*${mrkdwnEscape(f.name)}*\n${mrkdwnEscape(f.value)}`, { unit: 'chars', max: 2000 }, mark) })) });
  if (msg.url) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${msg.url}|${wordsFor(language).open}>` } });
  return { text: cutText(plainText(msg, language), { unit: 'chars', max: 4000 }, mark), blocks };
}

export async function deliverSlack(s: SettingsOf<'slack'>, msg: NotifyMessage, language: Language, ctx: SendContext): Promise<DeliveryOutcome> {
  const answer = await postJson(ctx, s.webhook_url, slackBody(msg, language));
  if (!isAnswer(answer)) return answer;
  return httpVerdict(answer, answer.status >= 400 ? answer.text.trim().slice(0, 100) || answer.status : null) ?? delivered;
}
