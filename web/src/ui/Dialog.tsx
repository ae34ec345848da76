import { type ReactNode, useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from './States';

/**
 * A modal dialog (the native `<dialog>`: focus kept inside, Escape closes, the page behind inert). Render
 * it when it should be open; it opens on mount and calls `onClose` on Escape. Sized to fit a phone.
 */
export function Dialog({ title, onClose, children }: { title: ReactNode; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </dialog>
  );
}

/** "Are you sure?": the consequence, the API's error if it refuses, Confirm and Cancel. */
export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onClose, pending, error }: {
  title: ReactNode;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  pending?: boolean;
  error?: unknown;
}) {
  const { t } = useTranslation();
  return (
    <Dialog title={title} onClose={onClose}>
      <p>{message}</p>
      {error != null && <ErrorNotice error={error} />}
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm} disabled={pending}>{confirmLabel}</button>
        <button type="button" onClick={onClose} autoFocus>{t('dialog.cancel')}</button>
      </div>
    </Dialog>
  );
}
