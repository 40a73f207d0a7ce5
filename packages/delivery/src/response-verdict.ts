/** What an answer means for the batch: acknowledged, worth another attempt, or refused for good. */
export type Verdict = 'delivered' | 'retry' | 'rejected';

/**
 * 2xx acknowledges. A 4xx other than 408 (timeout) and 429 (too many requests) will never succeed
 * when resent, so retrying it would block the queue forever. Everything else (5xx, 408, 429, odd
 * statuses) is retried.
 */
export function verdictOf(status: number): Verdict {
  if (status >= 200 && status < 300) return 'delivered';
  return status >= 400 && status < 500 && status !== 408 && status !== 429 ? 'rejected' : 'retry';
}
