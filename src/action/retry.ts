/**
 * When to retry a GitHub API call. Pure: status and headers in, a delay or "do not retry" out.
 * 5xx and network errors back off exponentially. A 403 is retried only when it is a rate limit
 * (Retry-After, or x-ratelimit-remaining: 0); any other 403 (a fork's read-only token) is final.
 */

export interface RetryPolicy {
  /** Attempts in total, including the first; default 4. */
  readonly maxAttempts: number;
  /** First backoff delay; doubled per attempt; default 1000 ms. */
  readonly baseDelayMs: number;
  /** Longest wait EdgeGate accepts (a rate-limit reset an hour away is not worth waiting for); default 60 s. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 };

export type Headers = Readonly<Record<string, string | number | undefined>>;

function header(h: Headers, name: string): string | undefined {
  const v = h[name] ?? h[name.toLowerCase()];
  return v === undefined ? undefined : String(v);
}

/** Parses Retry-After: seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}

/**
 * The delay before attempt `attempt + 1`, or null to give up. `status` undefined means a network error.
 * `attempt` counts from 1 (the attempt that just failed).
 */
export function retryDelay(status: number | undefined, headers: Headers, attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, nowMs = Date.now()): number | null {
  if (attempt >= policy.maxAttempts) return null;
  const backoff = policy.baseDelayMs * 2 ** (attempt - 1);
  const cap = (ms: number): number | null => (ms > policy.maxDelayMs ? null : ms);
  if (status === undefined || (status >= 500 && status <= 599)) return cap(backoff);
  if (status === 403 || status === 429) {
    const after = retryAfterMs(header(headers, 'retry-after'), nowMs);
    if (after !== undefined) return cap(Math.max(after, 1));
    if (header(headers, 'x-ratelimit-remaining') === '0') {
      const reset = Number(header(headers, 'x-ratelimit-reset'));
      return cap(Number.isFinite(reset) && reset > 0 ? Math.max(reset * 1000 - nowMs, 1000) : backoff);
    }
    return status === 429 ? cap(backoff) : null;
  }
  return null;
}
