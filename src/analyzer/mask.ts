/** Variable masking: the regex that defines it (mask-regex.ts) and the fast path that gives the same result (mask-fast.ts). */
export { MAX_MASKED, maskVariablesRegex, WILDCARD } from './mask-regex.js';
export { isSpace as isSpaceCode, maskInto, maskVariables } from './mask-fast.js';
