import { readFileSync } from 'node:fs';
import { platformModule } from '../src/connectors/connector.registry';
import type { RateBudget } from '../src/connectors/connector.port';
import { ServiceHarness } from '../src/testing/service-harness';
import type { ChildUsage } from './child';
import type { Flow } from './flows';

/** BENCH_PROFILE_DIR: a V8 CPU profile of every measured process, sandbox and service, to see where time goes. */
export function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Workers in a service-mode run: two processes sharing each connection's budget through Redis. */
export const SERVICE_WORKERS = 2;

export interface ServiceMeasure {
  usage: ChildUsage;
  status: string;
  entities: { entity: string; records: number; seconds: number }[];
}

/** CPU of one process in ms, from /proc (Linux; the bench machine is). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** The process's peak resident set in MB. */
function processPeakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
}

/**
 * The flow's plan through service mode: an API process and SERVICE_WORKERS workers on a fresh Postgres database
 * and Redis prefix, the plan posted as stored connections and a migration, the run started and watched through
 * the admin API. Measured from the POST that starts the run until the run has finished; CPU is every service
 * process's own. With limits off the connections say their store has no limit (as a user would for a host
 * without one); with limits on they take the platform's documented budget, or the one a host states (the flow's
 * `statedLimit`), shared by the workers.
 */
export async function measureService(
  flow: Flow,
  sourceUrl: string,
  destinationUrl: string,
  limits: boolean,
  postgresAdminUrl: string,
): Promise<ServiceMeasure> {
  const service = new ServiceHarness(
    postgresAdminUrl,
    { WORKER_CONCURRENCY: '4', JOB_LOCK_MS: '30000' },
    profileArgs(),
  );
  await service.start(SERVICE_WORKERS);
  try {
    const unlimited = { rateLimit: { capacity: 1e9, refillPerSecond: 1e9 } };
    const connection = async (name: string, platform: string, url: string, stated?: RateBudget) => {
      const created = await service.call('POST', '/api/connections', {
        name,
        platform,
        url,
        credentials: platformModule(platform).defaultCredentials,
        ...(limits ? (stated ? { rateLimit: stated } : {}) : unlimited),
      });
      if (created.status !== 201) throw new Error(`connection ${name}: ${JSON.stringify(created.body)}`);
      return created.body.id as string;
    };
    const migration = await service.call('POST', '/api/migrations', {
      name: `bench-${flow.name}`,
      sourceConnectionId: await connection('source', flow.source.platform, sourceUrl),
      destinationConnectionId: await connection(
        'destination',
        flow.destination.platform,
        destinationUrl,
        flow.statedLimit,
      ),
      entities: flow.entities,
      options: { concurrency: 4 },
      ...flow.plan,
    });
    if (migration.status !== 201) throw new Error(`migration: ${JSON.stringify(migration.body)}`);
    const pids = [service.api!, ...service.workers].map((proc) => proc.child.pid!);
    const cpuBefore = pids.map(processCpuMs);
    const started = performance.now();
    const run = await service.call('POST', `/api/migrations/${migration.body.id}/runs`, {});
    if (run.status !== 202) throw new Error(`run: ${JSON.stringify(run.body)}`);
    const status = await service.waitForRun(run.body.runId as string, undefined, 4 * 3600_000, 100);
    const wallMs = performance.now() - started;
    const cpuMs = pids.reduce((sum, pid, i) => sum + processCpuMs(pid) - cpuBefore[i], 0);
    const entities = Object.entries(
      status.entities as Record<string, Record<string, number | string | null>>,
    ).map(([entity, state]) => ({
      entity,
      records: ['created', 'updated', 'unchanged', 'merged'].reduce((sum, n) => sum + Number(state[n]), 0),
      seconds: (Date.parse(String(state.finishedAt)) - Date.parse(String(state.startedAt))) / 1000,
    }));
    return {
      usage: {
        cpuMs,
        wallMs,
        // The largest worker: each is a process of its own, as the hub's CLI run is.
        maxRssMb: Math.max(...service.workers.map((w) => processPeakRssMb(w.child.pid!))),
        exitCode: 0,
      },
      status: status.status as string,
      entities,
    };
  } finally {
    await service.stop();
  }
}
