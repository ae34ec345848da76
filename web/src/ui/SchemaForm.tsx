import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface FieldSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, FieldSchema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
}

/**
 * A form generated from an object JSON Schema (a tool's inputSchema): text, number, boolean and enum
 * fields for the common types, a JSON text box for nested objects and arrays. The server validates for real.
 */
export function SchemaForm({ schema, submitLabel, busy, onSubmit }: {
  schema: FieldSchema | undefined;
  submitLabel: string;
  busy: boolean;
  onSubmit: (values: Record<string, unknown>) => void;
}) {
  const { t } = useTranslation();
  const prefix = useId();
  const [error, setError] = useState<string | null>(null);
  const props = Object.entries(schema?.properties ?? {});
  const required = new Set(schema?.required ?? []);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const values: Record<string, unknown> = {};
    try {
      for (const [name, field] of props) {
        const value = readField(field, form.get(name), e.currentTarget.elements.namedItem(name));
        if (value !== undefined) values[name] = value;
      }
      setError(null);
      onSubmit(values);
    } catch (err) {
      setError(t('servers.invalidJson', { detail: (err as Error).message }));
    }
  }

  return (
    <form onSubmit={submit}>
      {props.map(([name, field]) => {
        const id = `${prefix}-${name}`;
        const kind = kindOf(field);
        const label = `${field.title ?? name}${required.has(name) ? ' *' : ''}`;
        const hint = field.description ? <span className="hint muted" id={`${id}-hint`}>{field.description}</span> : null;
        const describedBy = field.description ? `${id}-hint` : undefined;
        if (kind === 'boolean') {
          return (
            <div className="field" key={name}>
              <label><input type="checkbox" name={name} id={id} defaultChecked={field.default === true} aria-describedby={describedBy} /> {label}</label>
              {hint}
            </div>
          );
        }
        return (
          <div className="field" key={name}>
            <label htmlFor={id}>{label}</label>
            {kind === 'enum' ? (
              <select id={id} name={name} required={required.has(name)} defaultValue={String(field.default ?? '')} aria-describedby={describedBy}>
                {!required.has(name) && <option value="">—</option>}
                {field.enum!.map((v) => <option key={String(v)} value={String(v)}>{String(v)}</option>)}
              </select>
            ) : kind === 'json' ? (
              <textarea id={id} name={name} rows={3} required={required.has(name)} defaultValue={field.default === undefined ? '' : JSON.stringify(field.default)} aria-describedby={describedBy} />
            ) : (
              <input
                id={id}
                name={name}
                type={kind === 'number' ? 'number' : 'text'}
                step={kind === 'number' ? 'any' : undefined}
                required={required.has(name)}
                defaultValue={field.default === undefined ? '' : String(field.default)}
                aria-describedby={describedBy}
              />
            )}
            {hint}
          </div>
        );
      })}
      {error && <p className="notice error" role="alert">{error}</p>}
      <button type="submit" className="primary" disabled={busy}>{submitLabel}</button>
    </form>
  );
}

type Kind = 'string' | 'number' | 'boolean' | 'enum' | 'json';

function kindOf(field: FieldSchema): Kind {
  if (Array.isArray(field.enum)) return 'enum';
  const type = Array.isArray(field.type) ? field.type.find((t) => t !== 'null') : field.type;
  if (type === 'number' || type === 'integer') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'string') return 'string';
  return 'json';
}

function readField(field: FieldSchema, raw: FormDataEntryValue | null, element: Element | RadioNodeList | null): unknown {
  const kind = kindOf(field);
  if (kind === 'boolean') return (element as HTMLInputElement | null)?.checked ?? false;
  const text = typeof raw === 'string' ? raw : '';
  if (text === '') return undefined;
  if (kind === 'number') return Number(text);
  if (kind === 'json') return JSON.parse(text);
  if (kind === 'enum') return field.enum!.find((v) => String(v) === text) ?? text;
  return text;
}
