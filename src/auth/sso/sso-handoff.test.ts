import { describe, expect, it } from 'vitest';
import { createSsoHandoff, interactionOfReturn } from './sso-handoff.js';

describe('single sign-on handoff to the OAuth sign-in page', () => {
  const handoff = createSsoHandoff('a-secret-key-for-tests-only-0123456789');

  it('vouches for the user on its own interaction only, until it expires, and not when altered', () => {
    const now = Date.now();
    const marker = handoff.sign('uid-1', 'user-1', now);
    expect(handoff.verify(marker, 'uid-1', now)).toBe('user-1');
    expect(handoff.verify(marker, 'uid-2', now)).toBeNull();
    expect(handoff.verify(marker, 'uid-1', now + 121_000)).toBeNull();
    expect(handoff.verify(marker.replace('user-1', 'user-2'), 'uid-1', now)).toBeNull();
    expect(handoff.verify(createSsoHandoff('another-secret-key-0123456789abcdef').sign('uid-1', 'user-1', now), 'uid-1', now)).toBeNull();
    expect(handoff.verify('uid-1.user-1.9999999999.forged', 'uid-1', now)).toBeNull();
    expect(handoff.verify(undefined, 'uid-1', now)).toBeNull();
  });

  it('accepts as a return target only this platform\'s /oauth/interaction/<id> path', () => {
    expect(interactionOfReturn('/oauth/interaction/Ab_c-1')).toBe('Ab_c-1');
    for (const bad of ['https://evil.example/oauth/interaction/x', '//evil.example/oauth/interaction/x', '/oauth/interaction/x/../../api', '/oauth/interaction/x?y', '/oauth/interaction/', '/\\evil.example', '/oauth/interaction/x\n', '', null, undefined]) {
      expect(interactionOfReturn(bad), String(bad)).toBeNull();
    }
  });
});
