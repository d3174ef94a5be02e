/**
 * One error base with a string code. The code, not the class, decides how callers react:
 * `retryPolicyOf` is the single place that maps a code to temporary / throttled / permanent.
 */
export type ErrorCode =
  | 'PLAN_INVALID'
  | 'MAPPING_INVALID'
  | 'PLATFORM_UNREACHABLE'
  | 'PLATFORM_AUTH'
  | 'PLATFORM_THROTTLED'
  /** A daily allocation is used up: waiting seconds will not help; the run stops and resumes later. */
  | 'PLATFORM_QUOTA'
  | 'PLATFORM_TEMPORARY'
  | 'PLATFORM_REJECTED'
  /**
   * A write was sent and no definitive answer came back (reset, timeout, 5xx, an unreadable reply): it may
   * or may not have been saved. Never retried as it is; the record is looked up by its source identity first.
   */
  | 'OUTCOME_UNKNOWN'
  /** A safety limit stopped the run before a step that cannot be taken back (deleting many records). */
  | 'SAFETY_LIMIT'
  | 'LEDGER_STATE';

export class SwitchyardError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SwitchyardError';
  }

  /**
   * Whether doing the same work again can succeed: a platform outage, a throttle or a write without an
   * answer can; a bad plan or mapping, refused credentials, a used-up daily quota or a refusal cannot.
   */
  get retryable(): boolean {
    return canRetryHelp(this);
  }
}

/** Whether retrying a failed job can help; an error Switchyard did not classify (a dropped database link) may. */
export function canRetryHelp(error: unknown): boolean {
  if (!(error instanceof SwitchyardError)) return true;
  switch (error.code) {
    case 'PLATFORM_THROTTLED':
    case 'PLATFORM_TEMPORARY':
    case 'PLATFORM_UNREACHABLE':
    case 'OUTCOME_UNKNOWN':
      return true;
    case 'PLAN_INVALID':
    case 'MAPPING_INVALID':
    case 'PLATFORM_AUTH':
    case 'PLATFORM_QUOTA':
    case 'PLATFORM_REJECTED':
    case 'SAFETY_LIMIT':
    case 'LEDGER_STATE':
      return false;
  }
}

export type RetryPolicy = 'temporary' | 'throttled' | 'permanent';

export function retryPolicyOf(error: unknown): RetryPolicy {
  if (!(error instanceof SwitchyardError)) return 'permanent';
  switch (error.code) {
    case 'PLATFORM_THROTTLED':
      return 'throttled';
    case 'PLATFORM_TEMPORARY':
    case 'PLATFORM_UNREACHABLE':
      return 'temporary';
    case 'PLAN_INVALID':
    case 'MAPPING_INVALID':
    case 'PLATFORM_AUTH':
    case 'PLATFORM_QUOTA':
    case 'PLATFORM_REJECTED':
    case 'OUTCOME_UNKNOWN':
    case 'SAFETY_LIMIT':
    case 'LEDGER_STATE':
      return 'permanent';
  }
}

/** A write that may or may not have been saved: look the record up before writing it again. */
export function isOutcomeUnknown(error: unknown): error is SwitchyardError {
  return error instanceof SwitchyardError && error.code === 'OUTCOME_UNKNOWN';
}

/** JSONata throws plain objects `{code, message, token}`, not Errors; both read well here. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (
    error !== null &&
    typeof error === 'object' &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    const { message, code } = error as { message: string; code?: string };
    return code ? `${message} (${code})` : message;
  }
  return String(error);
}
