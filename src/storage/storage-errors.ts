import { AppError } from '../http/app-error.js';

/**
 * What a failed storage request becomes: a clear AppError naming the bucket and what it answered
 * (the caller's own REST status stays about the caller: a bucket's 403 is a bad gateway, not a
 * forbidden call). Errors that already are AppErrors (the outbound guard's refusals) pass through.
 */
export function storageError(err: unknown, where: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (e?.cause instanceof AppError) return e.cause;
  const status = e?.$metadata?.httpStatusCode;
  const what = e?.name && e.name !== 'Error' && e.name !== 'UnknownError' ? e.name : '';
  if (e?.name === 'AbortError') return new AppError('unavailable', `${where}: cancelled`);
  if (status === 404) return new AppError('not_found', `${where}: not found (404${what ? ` ${what}` : ''})`);
  if (status === 403 || status === 401)
    return new AppError('bad_gateway', `${where}: the storage refused access (${status}${what ? ` ${what}` : ''}); check the profile's credentials and bucket`);
  if (status === 412) return new AppError('conflict', `${where}: the object changed during the download (412)`);
  if (status !== undefined && status >= 400) return new AppError('bad_gateway', `${where}: the storage answered ${status}${what ? ` ${what}` : ''}`);
  if (e?.name === 'TimeoutError' || /timed? ?out|ETIMEDOUT|socket hang up/i.test(`${e?.message ?? ''} ${e?.code ?? ''}`))
    return new AppError('gateway_timeout', `${where}: the storage did not answer in time`);
  return new AppError('bad_gateway', `${where}: ${e?.message ?? String(err)}`);
}
