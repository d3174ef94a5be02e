import pRetry from 'p-retry';
import { retryPolicyOf, SwitchyardError } from './errors';

export interface RetryOptions {
  retries?: number;
  /** Called before each wait so callers can count throttle waits. */
  onWait?: (ms: number, error: SwitchyardError) => void;
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
        if (retryPolicyOf(error) === 'permanent') throw new pRetry.AbortError(error as Error);
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
