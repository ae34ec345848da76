import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from './app-error.js';
import { PROBLEM_TITLES } from './error-handler.js';

/** The body of every error answer (RFC 9457), as error-handler.ts renders it. Extra details pass through. */
export const problemSchema = z
  .looseObject({
    type: z.string().describe('https://mcps.one/problems/<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('What went wrong, for a person'),
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    request_id: z.string().describe('Also in the x-request-id header; quote it when reporting a problem'),
    errors: z.array(z.looseObject({ field: z.string(), message: z.string() })).optional().describe('Every invalid field (validation errors)'),
  })
  .meta({ id: 'Problem', description: 'An error (RFC 9457 application/problem+json)' });

/** One error response as a route declares it: problem+json, with what it means here. */
export function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: problemSchema } } };
}

/**
 * Error responses a route adds to the ones every route gets centrally (see openapi.ts), e.g.
 * `response: { 200: view, ...problems('conflict', 'bad_gateway') }`.
 */
export function problems(...codes: ErrorCode[]): Record<number, ReturnType<typeof problemResponse>> {
  return Object.fromEntries(codes.map((code) => [ERROR_STATUS[code], problemResponse(PROBLEM_TITLES[code])]));
}
