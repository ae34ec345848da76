import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../../ui/States';
import { secretsApi } from './api';

/** A new secret (version 1). The value field is a password field and is cleared once sent; nothing echoes it. */
export function CreateSecret({ onCreated }: { onCreated: (name: string) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation({ mutationFn: secretsApi.create, gcTime: 0 });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const description = String(f.get('description') ?? '').trim();
    setCreated(null);
    create.mutate(
      { name: String(f.get('name') ?? '').trim(), value: String(f.get('value') ?? ''), ...(description ? { description } : {}) },
      {
        onSuccess: (s) => {
          form.reset();
          create.reset();
          setCreated(s.name);
          onCreated(s.name);
          void queries.invalidateQueries({ queryKey: ['secrets'] });
        },
      },
    );
  }

  return (
    <details className="card">
      <summary>{t('secrets.create')}</summary>
      <form onSubmit={submit} autoComplete="off">
        <div className="field">
          <label htmlFor="secret-name">{t('secrets.name')} *</label>
          <input id="secret-name" name="name" required maxLength={128} aria-describedby="secret-name-hint" />
          <span id="secret-name-hint" className="hint muted">{t('secrets.nameHint')}</span>
        </div>
        <div className="field">
          <label htmlFor="secret-description">{t('secrets.description')}</label>
          <input id="secret-description" name="description" maxLength={1000} />
        </div>
        <div className="field">
          <label htmlFor="secret-value">{t('secrets.value')} *</label>
          <input id="secret-value" name="value" type="password" required autoComplete="new-password" spellCheck={false} />
        </div>
        {create.isError && <ErrorNotice error={create.error} />}
        {created && <p className="notice info" role="status">{t('secrets.created', { name: created })}</p>}
        <button type="submit" className="primary" disabled={create.isPending}>{t('secrets.createSubmit')}</button>
      </form>
    </details>
  );
}
