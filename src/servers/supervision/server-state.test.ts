import { describe, expect, it } from 'vitest';
import { canTransition, IllegalTransitionError, SERVER_STATES, transition } from './server-state.js';

describe('server state transitions', () => {
  it('allows the lifecycle paths the supervisor uses', () => {
    const paths: [string, string][] = [
      ['stopped', 'starting'],
      ['starting', 'running'],
      ['running', 'backoff'],
      ['backoff', 'starting'],
      ['starting', 'fatal'],
      ['running', 'stopping'],
      ['stopping', 'stopped'],
      ['fatal', 'starting'],
      ['fatal', 'stopped'],
      ['running', 'stopped'],
      ['backoff', 'stopping'],
      ['starting', 'stopping'],
    ];
    for (const [from, to] of paths) expect(canTransition(from as never, to as never), `${from} -> ${to}`).toBe(true);
  });

  it('rejects everything else, self-transitions included', () => {
    expect(() => transition('stopped', 'running')).toThrow(IllegalTransitionError);
    expect(() => transition('stopping', 'starting')).toThrow(/stopping -> starting/);
    expect(() => transition('backoff', 'running')).toThrow(IllegalTransitionError);
    for (const s of SERVER_STATES) expect(canTransition(s, s)).toBe(false);
  });
});
