/** The one source of "now" as stored in the database: ISO-8601 UTC with milliseconds. */
export function nowIso(): string {
  return new Date().toISOString();
}

export function isoMinus(ms: number, from: Date = new Date()): string {
  return new Date(from.getTime() - ms).toISOString();
}
