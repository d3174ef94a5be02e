import type { CallLimiter, RateBudget } from '../connector.port';
import { RollingWindow } from './rolling-window';
import { TokenBucket } from './token-bucket';

/** Pacing in this process to a stated budget (a CLI plan's `rateLimit`); service mode shares one in Redis. */
export function localLimiter(budget: RateBudget): CallLimiter {
  return budget.windowMs !== undefined
    ? new RollingWindow(budget.capacity, budget.windowMs)
    : new TokenBucket(budget.capacity, budget.refillPerSecond);
}
