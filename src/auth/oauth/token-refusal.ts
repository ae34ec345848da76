/** Why a bearer token is refused, as an OAuth error code (RFC 6750 section 3.1) and a reason for people. */
export class TokenRefusal extends Error {
  constructor(
    readonly error: 'invalid_token' | 'insufficient_scope',
    message: string,
  ) {
    super(message);
    this.name = 'TokenRefusal';
  }
}
