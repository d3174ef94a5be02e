import type { CallLimiter } from '../connector.port';

/**
 * `capacity` points refilled at `refillPerSecond`, in this process: the CLI's pacing for a connection whose plan
 * states a token-bucket budget. It settles as the shared Redis bucket does (src/service/rate-limit): the platform's
 * charge where it says one, the reservation given back where it does not, and a report of what the platform's
 * bucket holds, less what is still in flight, may lower the balance but never raise it.
 */
export class TokenBucket implements CallLimiter {
  private tokens: number;
  private at = Date.now();
  private inFlight = 0;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
  ) {
    this.tokens = capacity;
  }

  async acquire(points: number): Promise<number> {
    const wanted = Math.min(points, this.capacity);
    for (;;) {
      this.refill();
      if (this.tokens >= wanted) {
        this.tokens -= wanted;
        this.inFlight += wanted;
        return wanted;
      }
      const wait = Math.ceil(((wanted - this.tokens) * 1000) / this.refillPerSecond);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  settle(reserved: number, actual: number | null, reportedAvailable?: number): Promise<void> {
    this.refill();
    this.inFlight = Math.max(0, this.inFlight - reserved);
    this.tokens = Math.min(this.capacity, this.tokens + reserved - (actual ?? 0));
    if (reportedAvailable !== undefined)
      this.tokens = Math.min(this.tokens, reportedAvailable - this.inFlight);
    return Promise.resolve();
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) * this.refillPerSecond) / 1000);
    this.at = now;
  }
}
