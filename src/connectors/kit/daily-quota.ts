import { SwitchyardError } from '../../common/errors';
import type { Headers } from './requester';

/** Where a platform says how much of its daily quota is left, and when it resets. */
export interface QuotaHeaders {
  remaining: string;
  /** The reset instant's header, and its unit: epoch milliseconds or seconds. */
  reset: string;
  resetUnit: 'ms' | 's';
}

/**
 * A platform's calls-per-day allowance (Exact Online: 5,000 a day per division). It follows what the
 * platform reports on every reply and refuses a call once nothing is left, with PLATFORM_QUOTA and the
 * instant the quota comes back: the run stops cleanly there, and resumes after that instant.
 */
export class DailyQuota {
  private remaining?: number;
  private resetAt?: number;

  constructor(
    private readonly platform: string,
    private readonly headers: QuotaHeaders,
    /** Calls kept back for what a stopping run still has to do (none by default). */
    private readonly reserve = 0,
  ) {}

  /** Spends one call, or refuses when the day's quota is used up. */
  take(what: string): void {
    if (this.resetAt !== undefined && Date.now() >= this.resetAt) this.remaining = undefined;
    if (this.remaining !== undefined && this.remaining <= this.reserve) throw this.usedUp(what);
    if (this.remaining !== undefined) this.remaining--;
  }

  observe(headers: Headers): void {
    const remaining = Number(headers[this.headers.remaining.toLowerCase()]);
    const reset = Number(headers[this.headers.reset.toLowerCase()]);
    if (headers[this.headers.remaining.toLowerCase()] !== undefined && Number.isFinite(remaining))
      this.remaining = remaining;
    if (Number.isFinite(reset) && reset > 0)
      this.resetAt = this.headers.resetUnit === 's' ? reset * 1000 : reset;
  }

  /** When the quota comes back, if the platform said. */
  get resumesAt(): Date | undefined {
    return this.resetAt === undefined ? undefined : new Date(this.resetAt);
  }

  get left(): number | undefined {
    return this.remaining;
  }

  usedUp(what: string): SwitchyardError {
    const when = this.resumesAt;
    return new SwitchyardError(
      'PLATFORM_QUOTA',
      `${this.platform}'s daily API quota is used up (${what}); run the same command again after ${when ? when.toISOString() : 'the quota resets'}: the run resumes where it stopped`,
      { resumesAt: when?.toISOString() },
    );
  }
}
