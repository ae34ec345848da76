/** A server state, coloured by how it is doing. */
export function StateText({ state }: { state: string | undefined }) {
  return <span className={`state-${state ?? 'unknown'}`}>{state ?? '…'}</span>;
}
