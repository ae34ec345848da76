/** The one error type of the project. Routes and services throw it; one handler renders it. */
export const ERROR_STATUS = {
  validation: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  bad_gateway: 502,
  unavailable: 503,
  gateway_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { errors?: FieldError[]; retryAfterSeconds?: number; [k: string]: unknown },
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }

  static notFound(what: string, id: string): AppError {
    return new AppError('not_found', `${what} '${id}' not found`);
  }
}
