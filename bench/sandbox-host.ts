import { startSandbox } from '../src/connectors/connector.registry';
import type { WriteWindow } from '../src/sandbox/http-sandbox';
import { seedOf, type SeedSpec } from './stores';

/**
 * One sandbox in its own process, so the benchmark can tell its CPU from the hub's. Driven over IPC by
 * bench.ts: `start` answers the URL; `usage` answers the sandbox's counters and its process's CPU so far.
 */
export interface HostStart {
  platform: string;
  seed: SeedSpec;
  rateLimit: boolean;
}

export interface HostUsage {
  requests: number;
  writes: number;
  throttled: number;
  routes: Record<string, number>;
  writeWindow?: WriteWindow;
  cpuMs: number;
  maxRssMb: number;
}

type Message = { start: HostStart } | { usage: true };

let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;

// The bench stops a sandbox with SIGTERM; exiting normally lets --cpu-prof write its profile.
process.on('SIGTERM', () => process.exit(0));

process.on('message', (message: Message) => {
  void answer(message).then(
    (reply) => process.send!(reply),
    (error: Error) => process.send!({ error: error.message }),
  );
});

async function answer(message: Message): Promise<unknown> {
  if ('start' in message) {
    const { platform, seed, rateLimit } = message.start;
    sandbox = await startSandbox(platform, { port: 0, seed: seedOf(seed), rateLimit });
    return { url: sandbox.url };
  }
  const cpu = process.cpuUsage();
  const counters = sandbox!.counters();
  const usage: HostUsage = {
    ...counters,
    routes: counters.routes ?? {},
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  return usage;
}
