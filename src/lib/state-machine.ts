/** A state change that the machine's table does not allow: a bug in the caller. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly machine: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal ${machine} state transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export interface StateMachine<S extends string> {
  canTransition(from: S, to: S): boolean;
  /** Returns `to` when the transition is legal; throws IllegalTransitionError (a bug) otherwise. */
  transition(from: S, to: S): S;
}

/** A lifecycle as a table: for each state, the states it may move to (none else, itself included). */
export function stateMachine<S extends string>(machine: string, table: Readonly<Record<S, readonly S[]>>): StateMachine<S> {
  const canTransition = (from: S, to: S) => table[from].includes(to);
  return {
    canTransition,
    transition(from, to) {
      if (!canTransition(from, to)) throw new IllegalTransitionError(machine, from, to);
      return to;
    },
  };
}
