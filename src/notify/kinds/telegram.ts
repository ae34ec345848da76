import type { SettingsOf } from '../channel-settings.js';
import { delivered, type DeliveryOutcome, failed } from '../delivery-outcome.js';
import { isAnswer, postJson, type SendContext } from '../http-post.js';
import type { Language, NotifyMessage } from '../notify-message.js';
import { headline, plainText } from '../render-message.js';
import { wordsFor } from '../message-words.js';
import { cutText } from '../cut-text.js';

const MAX_CHARS = 4096;
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const mdv2 = (s: string) => s.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, '\\$&');

/** The text in the parse mode: each part escaped, cut before formatting so no tag or escape is split. */
export function telegramText(msg: NotifyMessage, language: Language, mode: 'HTML' | 'MarkdownV2' | 'none'): string {
  const mark = wordsFor(language).truncated;
  if (mode === 'none') return cutText(plainText(msg, language), { unit: 'chars', max: MAX_CHARS }, mark);
  const esc = mode === 'HTML' ? html : mdv2;
  const bold = (s: string) => (mode === 'HTML' ? `<b>${esc(s)}</b>` : `*${esc(s)}*`);
  const link = (u: string) => (mode === 'HTML' ? `<a href="${html(u)}">${esc(wordsFor(language).open)}</a>` : `[${esc(wordsFor(language).open)}](${u.replace(/[)\\]/g, '\\$&')})`);
  const tail = [msg.fields?.map((f) => `${bold(f.name)}: ${esc(f.value)}`).join('\n') ?? '', msg.url ? link(msg.url) : ''].filter(Boolean).join('\n\n');
  const head = bold(headline(msg, language));
  const room = MAX_CHARS - [...head].length - [...tail].length - 8;
  const body = room > 200 ? esc(cutText(msg.text, { unit: 'chars', max: Math.floor(room / 2) }, mark)) : '';
  return cutText([head, body, tail].filter(Boolean).join('\n\n'), { unit: 'chars', max: MAX_CHARS }, mode === 'HTML' ? html(mark) : mdv2(mark));
}

/**
 * Telegram Bot API: POST {base}/bot<token>/sendMessage `{chat_id, text (≤ 4,096 chars), parse_mode}`.
 * Answers `{ok: true, result}` or `{ok: false, error_code, description, parameters: {retry_after}}`
 * (429 with retry_after in seconds; 400 "chat not found"; 401/403 bad token or bot removed).
 */
export async function deliverTelegram(s: SettingsOf<'telegram'>, msg: NotifyMessage, language: Language, ctx: SendContext): Promise<DeliveryOutcome> {
  const mode = s.parse_mode ?? 'HTML';
  const url = `${(s.base_url ?? 'https://api.telegram.org').replace(/\/$/, '')}/bot${s.bot_token}/sendMessage`;
  const body = { chat_id: s.chat_id, text: telegramText(msg, language, mode), ...(mode === 'none' ? {} : { parse_mode: mode }), link_preview_options: { is_disabled: true } };
  const answer = await postJson(ctx, url, body);
  if (!isAnswer(answer)) return answer;
  if (answer.status < 300 && answer.json?.['ok'] === true) return delivered;
  const code = typeof answer.json?.['error_code'] === 'number' ? (answer.json['error_code'] as number) : answer.status;
  const after = (answer.json?.['parameters'] as { retry_after?: number } | undefined)?.retry_after;
  const retry = code === 429 || code >= 500;
  return failed(retry, code, `Telegram ${code}: ${String(answer.json?.['description'] ?? answer.text.slice(0, 300))}`, after !== undefined ? after * 1000 : answer.retryAfterMs);
}
