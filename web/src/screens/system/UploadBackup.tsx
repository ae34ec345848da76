import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../i18n/format';
import { ErrorNotice } from '../../ui/States';
import { systemApi } from './api';

/**
 * Bring a backup file from elsewhere (one downloaded from this or another platform): sent as the body with
 * its progress shown; the API checks it in full before listing it, and a wrong file gets its reason.
 */
export function UploadBackup() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const fileInput = useRef<HTMLInputElement>(null);
  const [label, setLabel] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const upload = useMutation({
    mutationFn: (file: File) => systemApi.uploadBackup(file, label.trim(), setProgress),
    onSuccess: () => {
      setLabel('');
      if (fileInput.current) fileInput.current.value = '';
      return queries.invalidateQueries({ queryKey: ['system', 'backups'] });
    },
    onSettled: () => setProgress(null),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const file = fileInput.current?.files?.[0];
    if (file) upload.mutate(file);
  }
  return (
    <details className="card">
      <summary>{t('systemExtra.upload')}</summary>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="backup-file">{t('systemExtra.uploadFile')} *</label>
          <input id="backup-file" ref={fileInput} type="file" required accept=".gz,application/gzip" aria-describedby="backup-file-hint" />
          <span id="backup-file-hint" className="hint muted">{t('systemExtra.uploadHint')}</span>
        </div>
        <div className="field">
          <label htmlFor="backup-upload-label">{t('systemExtra.uploadLabel')}</label>
          <input id="backup-upload-label" value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />
        </div>
        {progress !== null && (
          <div className="field">
            <label htmlFor="backup-upload-progress">{t('systemExtra.uploading', { percent: formatNumber(progress * 100) })}</label>
            <progress id="backup-upload-progress" max={1} value={progress} />
          </div>
        )}
        {upload.isError && <ErrorNotice error={upload.error} />}
        {upload.isSuccess && <p className="notice info" role="status">{t('systemExtra.uploaded', { id: upload.data.id })}</p>}
        <button type="submit" className="primary" disabled={upload.isPending}>{upload.isPending ? t('systemExtra.checking') : t('systemExtra.uploadSubmit')}</button>
      </form>
    </details>
  );
}
