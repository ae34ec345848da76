import { useTranslation } from 'react-i18next';
import { CopyButton } from './CopyButton';

const PLACEHOLDER = 'mcps_...';

/** The configurations a client needs, filled with the new key (or a placeholder) and this platform's URL. */
export function clientConfigs(key: string | null, origin: string) {
  const secret = key ?? PLACEHOLDER;
  const url = `${origin}/mcp`;
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  return {
    claude: json({ mcpServers: { mcps: { command: 'mcps', args: ['connect', '--url', url], env: { MCPS_API_KEY: secret } } } }),
    cursor: json({ mcpServers: { mcps: { url, headers: { Authorization: `Bearer ${secret}` } } } }),
    vscode: json({ servers: { mcps: { type: 'http', url, headers: { Authorization: `Bearer ${secret}` } } } }),
    connect: `MCPS_API_KEY=${secret} mcps connect --url ${url}`,
  };
}

/** Ready-to-copy client configurations: Claude Desktop, Cursor, VS Code and `mcps connect`. */
export function ClientConfigs({ apiKey }: { apiKey: string | null }) {
  const { t } = useTranslation();
  const configs = clientConfigs(apiKey, window.location.origin);
  const items = [
    { id: 'claude', title: t('gateway.claude'), text: configs.claude },
    { id: 'cursor', title: t('gateway.cursor'), text: configs.cursor },
    { id: 'vscode', title: t('gateway.vscode'), text: configs.vscode },
    { id: 'connect', title: t('gateway.connect'), text: configs.connect },
  ];
  return (
    <section aria-labelledby="gw-configs">
      <h2 id="gw-configs">{t('gateway.configs')}</h2>
      <p className="muted">{apiKey ? t('gateway.configsWithKey') : t('gateway.configsPlaceholder')}</p>
      <div className="cards gw-configs">
        {items.map((c) => (
          <div className="card" key={c.id}>
            <h3 id={`gw-config-${c.id}`}>{c.title}</h3>
            <pre className="output" tabIndex={0} aria-labelledby={`gw-config-${c.id}`} data-testid={`config-${c.id}`}>{c.text}</pre>
            <CopyButton text={c.text} label={t('gateway.copyConfig', { name: c.title })} />
          </div>
        ))}
      </div>
    </section>
  );
}
