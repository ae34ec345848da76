import { z } from 'zod';
import { findSecretReferences } from './secret-reference.js';

/** A setting that must be one whole `${secret:NAME}` reference: credentials are never stored in clear. */
export const secretRef = z
  .string()
  .max(300)
  .refine((s) => {
    try {
      const refs = findSecretReferences(s);
      return refs.length === 1 && refs[0]!.start === 0 && refs[0]!.end === s.length;
    } catch {
      return false;
    }
  }, 'must be a secret reference, ${secret:NAME}')
  .describe('A reference to a stored secret, ${secret:NAME}');
