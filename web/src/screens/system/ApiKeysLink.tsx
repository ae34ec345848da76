import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';

/** The platform's API keys are listed, created, limited and revoked on the Gateway screen: say where. */
export function ApiKeysLink() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="sys-keys-heading">
      <h2 id="sys-keys-heading">{t('systemExtra.apiKeys')}</h2>
      <p>
        {t('systemExtra.apiKeysWhere')} <Link href="/gateway">{t('systemExtra.apiKeysLink')}</Link>
      </p>
    </section>
  );
}
