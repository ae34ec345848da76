import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies a text to the clipboard and says so (for any screen; the gateway has its own). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button type="button" aria-label={label} onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false))}>
        {t('clipboard.copy')}
      </button>
      <span role="status">{copied ? t('clipboard.copied') : ''}</span>
    </>
  );
}
