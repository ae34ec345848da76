import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSecretNames } from '../../api/secret-names';
import { useSession } from '../../api/session';
import { setLine } from './value-lines';

/**
 * Environment variables or headers, one per line, with a secret picker: choose a stored secret and the
 * variable (or header) it goes into, and the line `NAME=${secret:SECRET}` is written for you, so the
 * value itself never sits in the server's definition. The textarea keeps its `name` for FormData.
 */
export function ValuesEditor({ id, name, label, hint, separator, initial = '' }: {
  id: string;
  name: string;
  label: string;
  hint: string;
  separator: '=' | ':';
  initial?: string;
}) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [text, setText] = useState(initial);
  const [key, setKey] = useState('');
  const [secret, setSecret] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const secrets = useSecretNames();

  // The surrounding form's reset (after a successful submit) clears this controlled field too.
  useEffect(() => {
    const form = area.current?.form;
    const onReset = () => setText(initial);
    form?.addEventListener('reset', onReset);
    return () => form?.removeEventListener('reset', onReset);
  }, [initial]);

  const names = secrets.data ?? [];
  const chosen = secret || names[0] || '';
  return (
    <>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <textarea id={id} ref={area} name={name} rows={4} value={text} onChange={(e) => setText(e.target.value)} aria-describedby={`${id}-hint`} spellCheck={false} />
        <span id={`${id}-hint`} className="hint muted">{hint}</span>
      </div>
      {can('secrets:read') && (
        <div className="filters" role="group" aria-label={t('serverConfig.picker')}>
          <div className="field">
            <label htmlFor={`${id}-key`}>{separator === '=' ? t('serverConfig.variable') : t('serverConfig.header')}</label>
            <input id={`${id}-key`} value={key} onChange={(e) => setKey(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-secret`}>{t('serverConfig.secret')}</label>
            <select id={`${id}-secret`} value={chosen} onChange={(e) => setSecret(e.target.value)} disabled={names.length === 0}>
              {names.length === 0 && <option value="">{t('serverConfig.noSecrets')}</option>}
              {names.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </div>
          <button
            type="button"
            disabled={!key.trim() || !chosen}
            onClick={() => {
              setText(setLine(text, separator, key.trim(), `\${secret:${chosen}}`));
              setKey('');
            }}
          >
            {t('serverConfig.useSecret')}
          </button>
        </div>
      )}
    </>
  );
}
