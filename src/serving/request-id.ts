/**
 * Request ids, in their own module so both the request context (context.ts) and feedback
 * (feedback.ts, which context.ts names by type) import it without a circle.
 */

/** What a request id may be: a client's `x-request-id` is kept (as a correlation field) only when it matches, and feedback names predictions by one. */
export const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
