import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SchemaForm } from '../../ui/SchemaForm';
import { ErrorNotice } from '../../ui/States';
import { type ContentBlock, serversApi, type Tool } from './api';

/** Pick a tool, fill the form generated from its input schema, call it, read the result. */
export function ToolTester({ serverId, tools }: { serverId: string; tools: Tool[] }) {
  const { t } = useTranslation();
  const [name, setName] = useState(tools[0]?.name ?? '');
  const tool = tools.find((x) => x.name === name);
  const call = useMutation({ mutationFn: (args: Record<string, unknown>) => serversApi.call(serverId, name, args) });

  return (
    <section className="card" aria-labelledby="tester-title">
      <h2 id="tester-title">{t('servers.tester')}</h2>
      <div className="field">
        <label htmlFor="tester-tool">{t('servers.tool')}</label>
        <select id="tester-tool" value={name} onChange={(e) => { setName(e.target.value); call.reset(); }}>
          {tools.map((x) => <option key={x.name} value={x.name}>{x.title ?? x.name}</option>)}
        </select>
      </div>
      {tool?.description && <p className="muted">{tool.description}</p>}
      {tool && <SchemaForm key={tool.name} schema={tool.inputSchema} submitLabel={t('servers.call')} busy={call.isPending} onSubmit={(v) => call.mutate(v)} />}
      {call.isError && <ErrorNotice error={call.error} />}
      {call.data && (
        <div aria-live="polite">
          <h3>{t('servers.result')}</h3>
          {call.data.isError && <p className="notice error" role="alert">{t('servers.toolError')}</p>}
          {(call.data.content ?? []).map((block, i) => <Block key={i} block={block} />)}
          {call.data.structuredContent !== undefined && <pre className="output">{JSON.stringify(call.data.structuredContent, null, 2)}</pre>}
        </div>
      )}
    </section>
  );
}

function Block({ block }: { block: ContentBlock }) {
  if (block.type === 'text') return <pre className="output" data-testid="tool-result">{block.text}</pre>;
  if (block.type === 'image' && block.data && block.mimeType?.startsWith('image/')) {
    return <img src={`data:${block.mimeType};base64,${block.data}`} alt="" />;
  }
  return <pre className="output">{JSON.stringify(block, null, 2)}</pre>;
}
