import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../lib/state-machine.js';
import { PIPE_STATES, pipeStates } from './pipe-state.js';

describe('pipe state transitions', () => {
  it('allows the paths the relay uses: connect, retry, give up, stop', () => {
    const legal = ['stopped>connecting', 'connecting>connected', 'connecting>retrying', 'connecting>fatal', 'connecting>stopped'];
    legal.push('connected>retrying', 'connected>fatal', 'connected>stopped', 'retrying>connecting', 'retrying>stopped');
    for (const path of legal) {
      const [from, to] = path.split('>') as [never, never];
      expect(pipeStates.canTransition(from, to), path).toBe(true);
    }
  });

  it('rejects everything else: fatal is final, self-transitions are not moves', () => {
    expect(() => pipeStates.transition('stopped', 'retrying')).toThrow(IllegalTransitionError);
    expect(() => pipeStates.transition('retrying', 'connected')).toThrow(/pipe state transition retrying -> connected/);
    for (const s of PIPE_STATES) expect(pipeStates.canTransition('fatal', s)).toBe(false);
    for (const s of PIPE_STATES) expect(pipeStates.canTransition(s, s)).toBe(false);
  });
});
