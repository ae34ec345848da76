import { useTranslation } from 'react-i18next';

/** A server state, coloured by how it is doing, in the console's language. */
export function StateText({ state }: { state: string | undefined }) {
  const { t } = useTranslation();
  const label = state ? t(`servers.states.${state}`, { defaultValue: state }) : '…';
  return <span className={`state-${state ?? 'unknown'}`}>{label}</span>;
}
