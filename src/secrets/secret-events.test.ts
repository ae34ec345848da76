import { describe, expect, it } from 'vitest';
import { createSecretEvents } from './secret-events.js';

describe('createSecretEvents', () => {
  it('calls every listener; a throwing or rejecting one is reported and does not stop the others', async () => {
    const errors: string[] = [];
    const events = createSecretEvents({ onListenerError: (err, name) => errors.push(`${name}: ${(err as Error).message}`) });
    const seen: number[] = [];
    events.on('secret.rotated', () => {
      throw new Error('sync boom');
    });
    events.on('secret.rotated', async () => {
      throw new Error('async boom');
    });
    const off = events.on('secret.rotated', (e) => void seen.push(e.version));
    events.on('secret.updated', () => void seen.push(-1));

    expect(() => events.emit('secret.rotated', { name: 'A', version: 2, reason: 'r' })).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([2]);
    expect(errors).toEqual(['secret.rotated: sync boom', 'secret.rotated: async boom']);

    off();
    events.emit('secret.rotated', { name: 'A', version: 3, reason: 'r' });
    expect(seen).toEqual([2]);
  });
});
