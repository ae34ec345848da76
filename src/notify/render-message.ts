import { type CutLimit, cutText } from './cut-text.js';
import type { Language, NotifyMessage } from './notify-message.js';
import { SEVERITY_ICON, wordsFor } from './message-words.js';

/** The heading of a message: icon, severity word, title. */
export function headline(msg: NotifyMessage, language: Language): string {
  return `${SEVERITY_ICON[msg.severity]} [${wordsFor(language).severity[msg.severity]}] ${msg.title}`;
}

/** Plain text: headline, text, `name: value` lines, the link. */
export function plainText(msg: NotifyMessage, language: Language): string {
  const parts = [headline(msg, language), msg.text];
  if (msg.fields?.length) parts.push(msg.fields.map((f) => `${f.name}: ${f.value}`).join('\n'));
  if (msg.url) parts.push(`${wordsFor(language).open}: ${msg.url}`);
  return parts.filter((p) => p.length > 0).join('\n\n');
}

/** The Markdown under the heading: the text, a bullet per field, the link. */
export function markdownBody(msg: NotifyMessage, language: Language): string {
  const parts = [msg.text];
  if (msg.fields?.length) parts.push(msg.fields.map((f) => `- **${f.name}**: ${f.value}`).join('\n'));
  if (msg.url) parts.push(`[${wordsFor(language).open}](${msg.url})`);
  return parts.filter((p) => p.length > 0).join('\n\n');
}

/** Markdown as DingTalk and WeCom read it: a `###` heading, then the body. */
export function markdownText(msg: NotifyMessage, language: Language): string {
  return `### ${headline(msg, language)}\n\n${markdownBody(msg, language)}`;
}

/** `text` within a channel's limit, cut with the language's marker. */
export function fit(text: string, limit: CutLimit, language: Language): string {
  return cutText(text, limit, wordsFor(language).truncated);
}
