import { type ReactNode, useId } from 'react';

/** What a field's control must carry: the id its label names, and the hint it is read with. */
export interface FieldControl {
  id: string;
  'aria-describedby'?: string;
}

/**
 * One row of a form (`.field`): a label tied to the control `children` renders with the given props,
 * ` *` after a required one's label, and the hint, if any, read with the control (aria-describedby).
 */
export function Field({ label, required, hint, children }: { label: string; required?: boolean; hint?: string; children: (control: FieldControl) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}{required ? ' *' : ''}</label>
      {children({ id, 'aria-describedby': hint ? `${id}-hint` : undefined })}
      {hint && <span id={`${id}-hint`} className="hint muted">{hint}</span>}
    </div>
  );
}

/** A `Field` holding a text box. */
export function TextField({ name, label, required, hint, placeholder, defaultValue }: {
  name: string;
  label: string;
  required?: boolean;
  hint?: string;
  placeholder?: string;
  defaultValue?: string | null;
}) {
  return (
    <Field label={label} required={required} hint={hint}>
      {(control) => <input {...control} name={name} required={required} placeholder={placeholder} defaultValue={defaultValue ?? ''} />}
    </Field>
  );
}
