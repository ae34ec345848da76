import { inject } from 'vitest';
import type { Component } from '../components.js';

/**
 * For `describe.skipIf(!needs('postgres'))`: true when the component is available. Under CI=true a
 * missing component throws, failing the suite instead of skipping it.
 */
export function needs(component: Component): boolean {
  const ok = inject('components')[component];
  if (!ok && process.env['CI'] === 'true') {
    throw new Error(`${component} is required under CI=true but is not available`);
  }
  return ok;
}
