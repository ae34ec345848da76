import type { Language, Severity } from './notify-message.js';

interface Words {
  severity: Record<Severity, string>;
  open: string;
  truncated: string;
  firing: string;
  resolved: string;
  alerts: string;
  since: string;
}

const WORDS: Record<Language, Words> = {
  en: {
    severity: { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO', resolved: 'RESOLVED' },
    open: 'Open',
    truncated: '… (truncated)',
    firing: 'firing',
    resolved: 'resolved',
    alerts: 'alerts',
    since: 'since',
  },
  'zh-CN': {
    severity: { critical: '严重', error: '错误', warning: '警告', info: '信息', resolved: '已恢复' },
    open: '查看',
    truncated: '…(已截断)',
    firing: '告警中',
    resolved: '已恢复',
    alerts: '条告警',
    since: '开始于',
  },
};

/** The fixed words of a message in a language. */
export function wordsFor(language: Language): Words {
  return WORDS[language];
}

export const SEVERITY_ICON: Record<Severity, string> = { critical: '🔴', error: '🟠', warning: '🟡', info: '🔵', resolved: '✅' };
