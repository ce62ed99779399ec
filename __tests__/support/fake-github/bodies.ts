/**
 * Response bodies copied from what GitHub, the Actions results service (Twirp) and Azure Blob
 * storage really send, so clients parse the same shapes in tests as in production.
 */

/** GitHub's maximum issue comment length, in characters. */
export const MAX_COMMENT_CHARS = 65536;

/** GitHub caps `GET /pulls/{n}/files` at this many files. */
export const MAX_PULL_FILES = 3000;

const REST_DOCS = 'https://docs.github.com/rest';

/** A GitHub REST error body: `{message, documentation_url, status}` (+ `errors` for 422). */
export function restError(
  status: number,
  message: string,
  documentationUrl: string = REST_DOCS,
  errors?: readonly Record<string, unknown>[],
): Record<string, unknown> {
  const body: Record<string, unknown> = { message };
  if (errors) body.errors = errors;
  body.documentation_url = documentationUrl;
  body.status = String(status);
  return body;
}

/** 401 without an Authorization header. */
export const requiresAuthentication = (): Record<string, unknown> => restError(401, 'Requires authentication');
/** 401 for a token GitHub does not know. */
export const badCredentials = (): Record<string, unknown> => restError(401, 'Bad credentials');
/** 403 for an integration token that lacks the permission (fork PRs, read-only GITHUB_TOKEN). */
export const notAccessibleByIntegration = (docUrl: string): Record<string, unknown> =>
  restError(403, 'Resource not accessible by integration', docUrl);
/** 404. */
export const notFound = (docUrl: string = REST_DOCS): Record<string, unknown> => restError(404, 'Not Found', docUrl);

/** 422 for a comment body above 65,536 characters (verbatim from GitHub). */
export function bodyTooLong(docUrl: string): Record<string, unknown> {
  return restError(422, 'Validation Failed', docUrl, [
    {
      resource: 'IssueComment',
      code: 'custom',
      field: 'body',
      message: `body is too long (maximum is ${MAX_COMMENT_CHARS} characters)`,
    },
  ]);
}

/** 422 when `body` is missing or not a string. */
export function bodyNotSupplied(docUrl: string): Record<string, unknown> {
  return restError(422, 'Invalid request.\n\n"body" wasn\'t supplied.', docUrl);
}

/** 400 for unparsable JSON. */
export const problemsParsingJson = (docUrl: string): Record<string, unknown> =>
  restError(400, 'Problems parsing JSON', docUrl);

/** 410 for an expired or deleted artifact. */
export const artifactGone = (docUrl: string): Record<string, unknown> => restError(410, 'Artifact has expired', docUrl);

/** The secondary-rate-limit 403 body that comes with `Retry-After`. */
export const secondaryRateLimit = (): Record<string, unknown> =>
  restError(
    403,
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:FAKE.',
    'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
  );

/** The primary-rate-limit 403 body that comes with `x-ratelimit-remaining: 0`. */
export const primaryRateLimit = (): Record<string, unknown> =>
  restError(403, 'API rate limit exceeded for installation ID 1.', 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api');

/** Default REST body for a 5xx. */
export function serverErrorBody(status: number): Record<string, unknown> {
  const messages: Record<number, string> = {
    500: 'Server Error',
    502: 'Server Error',
    503: 'Service Unavailable',
    504: 'We couldn\'t respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.',
  };
  return { message: messages[status] ?? 'Server Error', documentation_url: REST_DOCS, status: String(status) };
}

/** Twirp error codes and the HTTP status Twirp maps each to. */
export const TWIRP_STATUS = {
  canceled: 408,
  invalid_argument: 400,
  malformed: 400,
  deadline_exceeded: 408,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  permission_denied: 403,
  unauthenticated: 401,
  resource_exhausted: 429,
  failed_precondition: 412,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  dataloss: 500,
} as const;

/** A Twirp error code. */
export type TwirpCode = keyof typeof TWIRP_STATUS;

/** The Twirp error body `{code, msg}` (the artifact client reads `msg`). */
export const twirpError = (code: TwirpCode, msg: string): Record<string, unknown> => ({ code, msg });

/** Twirp code a fault status maps back to, for default fault bodies. */
export function twirpCodeFor(status: number): TwirpCode {
  const found = (Object.entries(TWIRP_STATUS) as [TwirpCode, number][]).find(([, s]) => s === status);
  return found ? found[0] : 'internal';
}

/** Azure Storage error XML, e.g. `AuthenticationFailed`, `BlobNotFound`, `InvalidBlockList`. */
export function azureError(code: string, message: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><Error>' +
    `<Code>${code}</Code><Message>${message}\nRequestId:00000000-0000-0000-0000-000000000000\nTime:${new Date().toISOString()}</Message>` +
    '</Error>'
  );
}

/** Azure error code a fault status maps to, for default fault bodies. */
export function azureCodeFor(status: number): string {
  if (status === 503) return 'ServerBusy';
  if (status === 500) return 'InternalError';
  if (status === 403) return 'AuthenticationFailed';
  if (status === 404) return 'BlobNotFound';
  return 'OperationTimedOut';
}
