import type { CallLimiter } from '../connector.port';

/**
 * At most `max` calls in any `intervalMs`, the way HubSpot counts its ten-second limit: the whole allowance may
 * go at once (the burst), then each call waits for one to leave the window. A call counts from when it is sent
 * until `intervalMs` after its answer came: the platform counted it on arrival, which was before that.
 * As a CallLimiter, each `acquire` is one call, whatever its points, and `settle` marks its answer.
 */
export class RollingWindow implements CallLimiter {
  private readonly answered: number[] = [];
  private inFlight = 0;

  constructor(
    private max: number,
    private intervalMs: number,
  ) {}

  /** The account's own limit, as its replies state it. */
  set(max: number, intervalMs: number): void {
    this.max = max;
    this.intervalMs = intervalMs;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    await this.slot();
    try {
      return await call();
    } finally {
      void this.settle();
    }
  }

  async acquire(points: number): Promise<number> {
    await this.slot();
    return points;
  }

  settle(): Promise<void> {
    this.answered.push(Date.now());
    this.inFlight--;
    return Promise.resolve();
  }

  /** Waits until the window has room, and takes it. */
  private async slot(): Promise<void> {
    for (;;) {
      const now = Date.now();
      // A call answered exactly a window ago still counts: a host counting to the millisecond may still hold it.
      while (this.answered.length > 0 && this.answered[0] < now - this.intervalMs) this.answered.shift();
      if (this.answered.length + this.inFlight < this.max) {
        this.inFlight++;
        return;
      }
      // Full: the oldest answer leaves the window first; with only calls in flight, their answers free it.
      const wait = this.answered.length > 0 ? this.answered[0] + this.intervalMs - now + 1 : 5;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
