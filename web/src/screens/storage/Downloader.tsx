import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { formatBytes, formatNumber } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { MoreNotShown } from '../../ui/MoreNotShown';
import { ErrorNotice } from '../../ui/States';
import { storageApi } from './api';

/** Downloads the selected keys (the request waits until every file is done) and shows each file's result. */
export function Downloader({ profile, keys }: { profile: string; keys: string[] }) {
  const { t } = useTranslation();
  const download = useMutation({ mutationFn: () => storageApi.download({ profile, keys }) });
  const result = download.data;
  const paths = (result?.files ?? []).filter((f) => f.status !== 'failed' && f.path).map((f) => f.path!);
  const analyze = `/analysis?${new URLSearchParams(paths.map((p) => ['file', p]))}`;
  return (
    <div className="card download">
      <div className="actions">
        <button type="button" className="primary" disabled={keys.length === 0 || download.isPending} onClick={() => download.mutate()}>
          {t('storage.downloadN', { n: formatNumber(keys.length) })}
        </button>
        {download.isPending && <span role="status">{t('storage.downloading')}</span>}
      </div>
      {download.isError && <ErrorNotice error={download.error} />}
      {result && (
        <>
          <p role="status">
            {t('storage.downloadSummary', { downloaded: result.downloaded, skipped: result.skipped, failed: result.failed, bytes: formatBytes(result.bytes) })}
          </p>
          <p className="muted">{t('storage.savedIn', { directory: result.directory })}</p>
          <DataTable
            caption={t('storage.downloadResult')}
            rows={result.files}
            rowKey={(f) => f.key}
            columns={[
              { key: 'key', header: t('storage.key'), cell: (f) => <code>{f.key}</code> },
              { key: 'status', header: t('storage.status'), cell: (f) => <span className={`state-${f.status}`}>{t(`storage.${f.status}`)}{f.resumed ? ` (${t('storage.resumed')})` : ''}</span> },
              { key: 'bytes', header: t('storage.bytes'), numeric: true, cell: (f) => formatBytes(f.bytes) },
              { key: 'path', header: t('storage.path'), cell: (f) => (f.error ? <span className="state-failed">{f.error}</span> : <code>{f.path}</code>) },
            ]}
          />
          <MoreNotShown count={result.left_out} />
          {paths.length > 0 && <p><Link href={analyze}>{t('storage.analyzeThese', { n: formatNumber(paths.length) })}</Link></p>}
        </>
      )}
    </div>
  );
}
