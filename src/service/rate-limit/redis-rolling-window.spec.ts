import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { REDIS_URL } from '../../testing/service-harness';
import { RedisRollingWindow } from './redis-rolling-window';

/** HubSpot's shape, scaled down: 5 calls in any 300 ms. Two windows on one key are two workers sharing it. */
describe('the shared rolling window (real Redis)', () => {
  const redis = new IORedis(REDIS_URL);
  afterAll(() => redis.quit());

  it('lets the allowance go at once, then never more than it in any window, across two workers', async () => {
    const key = `switchyard-test:window:${randomUUID()}`;
    const waits: number[] = [];
    const workers = [0, 1].map(() => new RedisRollingWindow(redis, key, 5, 300, (ms) => waits.push(ms)));
    const sent: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 14 }, async (_, i) => {
        const worker = workers[i % 2];
        await worker.acquire(1);
        sent.push(Date.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 10));
        await worker.settle(1, 1);
      }),
    );
    sent.sort((a, b) => a - b);
    // The burst: five at once rather than one every 60 ms.
    expect(sent[4]).toBeLessThan(100);
    // No 300 ms holds more than five sends, though two processes sent them.
    for (const t of sent) expect(sent.filter((s) => s > t - 300 && s <= t).length).toBeLessThanOrEqual(5);
    expect(sent[13]).toBeGreaterThanOrEqual(600);
    expect(waits.length).toBeGreaterThan(0);
  });

  it('counts a call until a window after its answer, not after its sending', async () => {
    const key = `switchyard-test:window:${randomUUID()}`;
    const window = new RedisRollingWindow(redis, key, 1, 200);
    const t0 = Date.now();
    await window.acquire(1);
    // A slow answer: 150 ms after sending.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await window.settle(1, 1);
    await window.acquire(1);
    // Free 200 ms after the answer (about 350 ms in), not 200 ms after the send.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(340);
  });
});
