import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { REDIS_URL } from '../../testing/service-harness';
import { RedisTokenBucket } from './redis-token-bucket';

/** Shopify's shape: 1000 points, 50 a second. Two buckets on one key are two workers sharing one budget. */
describe('the shared Redis budget (real Redis)', () => {
  const redis = new IORedis(REDIS_URL);
  afterAll(() => redis.quit());

  /**
   * The balance a step leaves, read a moment later: the bucket refills at 50 a second meanwhile, so it may
   * read up to 5 points (100 ms on a loaded machine) above what the step left, never below.
   */
  const near = (balance: number, left: number) => {
    expect(balance).toBeGreaterThan(left - 0.5);
    expect(balance).toBeLessThan(left + 5);
  };

  const pair = () => {
    const key = `switchyard-test:budget:${randomUUID()}`;
    const waits: number[] = [];
    const bucket = () => new RedisTokenBucket(redis, key, 1000, 50, (ms) => waits.push(ms));
    return { a: bucket(), b: bucket(), waits, balance: async () => Number(await redis.hget(key, 'tokens')) };
  };

  it('charges what the platform says: a query estimated high and charged little costs little', async () => {
    const { a, waits, balance } = pair();
    expect(await a.acquire(600)).toBe(600);
    await a.settle(600, 12, 988);
    near(await balance(), 988);
    await a.acquire(900);
    expect(waits).toEqual([]);
  });

  it('gives a reservation back when the reply carries no cost (a failed or throttled call)', async () => {
    const { a, balance } = pair();
    await a.acquire(700);
    expect(await balance()).toBeLessThan(301);
    await a.settle(700, null);
    expect(await balance()).toBeGreaterThan(999);
  });

  it("counts another worker's reservation still in flight against the platform's report", async () => {
    const { a, b, waits, balance } = pair();
    await a.acquire(500);
    await b.acquire(300);
    // B's reply says the shop holds 995: A's 500 is not charged there yet, so 495 are ours to spend.
    await b.settle(300, 5, 995);
    near(await balance(), 495);
    await b.acquire(600);
    expect(waits.length).toBe(1);
    expect(waits[0]).toBeGreaterThan(1000);
    // A settles: the shop's report less B's 600 now in flight.
    await a.settle(500, 8, 990);
    near(await balance(), 390);
    // Nothing in flight: B's 591 unused points come back; the report (985) is above that and raises nothing.
    await b.settle(600, 9, 985);
    near(await balance(), 981);
  });

  it('is never raised by a report that left the platform before a call already settled', async () => {
    const { a, b, balance } = pair();
    await a.acquire(300);
    await b.acquire(300);
    // The platform answers A first (700 left), then B (400 left); B's reply is settled first.
    await b.settle(300, 300, 400);
    await a.settle(300, 300, 700);
    // A's report is older than B's charge: following it up would hand out B's 300 points again.
    expect(await balance()).toBeLessThanOrEqual(401);
  });

  it('charges what the platform says when it does not report, and a report above the capacity changes nothing', async () => {
    const { a, balance } = pair();
    await a.acquire(100);
    await a.settle(100, 350);
    expect(await balance()).toBeLessThan(651);
    await a.acquire(10);
    await a.settle(10, 10, 5000);
    expect(await balance()).toBeLessThan(652);
  });
});
