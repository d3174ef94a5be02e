import pRetry from 'p-retry';
import { retryPolicyOf, SwitchyardError } from './errors';

export interface RetryOptions {
  retries?: number;
  /** Called before each wait so callers can count throttle waits. */
  onWait?: (ms: number, error: SwitchyardError) => void;
  /**
   * The operation writes and is not idempotent: a temporary failure (reset, timeout, 5xx, unreadable reply)
   * may have been saved, so it becomes OUTCOME_UNKNOWN instead of being sent again. Throttling is retried:
   * a 429 means the platform did not process the request.
   */
  write?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries temporary and throttled failures with exponential backoff (p-retry); a throttled error that
 * carries the platform's own wait (Retry-After, GraphQL restore rate) waits exactly that long first.
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await operation();
      } catch (error) {
        const policy = retryPolicyOf(error);
        if (policy === 'temporary' && options.write) throw new pRetry.AbortError(unknownOutcome(error));
        if (policy === 'permanent') throw new pRetry.AbortError(error as Error);
        throw error;
      }
    },
    {
      retries: options.retries ?? 6,
      minTimeout: 200,
      maxTimeout: 10_000,
      factor: 2,
      randomize: true,
      onFailedAttempt: async (error) => {
        const cause = error as unknown;
        if (cause instanceof SwitchyardError && cause.retryAfterMs !== undefined) {
          options.onWait?.(cause.retryAfterMs, cause);
          await sleep(cause.retryAfterMs);
        }
      },
    },
  ).catch((error: unknown) => {
    // p-retry wraps the original error of an AbortError; hand callers the real one.
    const original = (error as { originalError?: unknown }).originalError;
    throw original ?? error;
  });
}

function unknownOutcome(error: unknown): SwitchyardError {
  const cause = error as SwitchyardError;
  return new SwitchyardError(
    'OUTCOME_UNKNOWN',
    `the write may or may not have been saved (${cause.message})`,
    cause.details,
  );
}
