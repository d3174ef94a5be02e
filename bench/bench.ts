import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import IORedis from 'ioredis';
import { Command } from 'commander';
import { platformModule } from '../src/connectors/connector.registry';
import { packageRoot } from '../src/common/package-root';
import type { ChildUsage } from './child';
import { FLOWS, type Flow, sized } from './flows';
import { renderHtml } from './report';
import type { HostUsage } from './sandbox-host';
import { REDIS_URL } from '../src/testing/service-harness';
import { measureService, profileArgs, SERVICE_WORKERS } from './service-run';
import { type DestinationCheck, wooDestinationCheck } from './destination-check';
import type { SeedSpec } from './stores';

/** One measured migration: the hub's or the baseline's, of one flow at one size, limits off or on. */
export interface BenchRun {
  flow: string;
  customers: number;
  limits: 'off' | 'on';
  /** `switchyard`: the CLI; `service`: the same plan through the admin API and two workers; `baseline`: a plain script. */
  side: 'switchyard' | 'service' | 'baseline';
  records: number;
  wallMs: number;
  cpuMs: number;
  cpuPerRecordMs: number;
  recordsPerSecond: number;
  maxRssMb: number;
  requests: number;
  requestsPerRecord: number;
  throttled: number;
  sandboxCpuMs: number;
  /** The sandboxes' share of all CPU the run used (hub + both sandboxes). */
  sandboxCpuShare: number;
  /**
   * With limits on, over the time the destination was written (its first write to its last): the records it
   * stored ÷ what its documented ceiling allows then (batch cap × the requests its window admits);
   * `budgetShare × batchFill`.
   */
  ceilingShare: number | null;
  /** With limits on, over the same time: the destination's requests ÷ those its documented budget allows. */
  budgetShare: number | null;
  /**
   * With limits on: the records the destination stored ÷ (its requests in that time × the batch cap). A record
   * is what takes a place in a batch: a HubSpot line item or association, a WooCommerce variation. What this can
   * reach depends on the API's shape, not only on the hub (a WooCommerce product's variations are one batch call
   * per product): the baseline's figure is the reference.
   */
  batchFill: number | null;
  /** Records the destination stored (creates, updates, associations), as its sandbox counted them. */
  destinationWrites: number;
  entities: { entity: string; records: number; seconds: number; perSecond: number }[];
  /**
   * The hub's destination after its run, read through the platform's API (WooCommerce): records, and records
   * beyond one per source id. Null where not checked.
   */
  destination?: DestinationCheck | null;
  /** Requests per route on each side, to tell what the calls were for. */
  routes: { source: Record<string, number>; destination: Record<string, number> };
  status: string;
}

interface Host {
  process: ChildProcess;
  url: string;
  usage(): Promise<HostUsage>;
  stop(): void;
}

const dist = join(packageRoot(), 'dist', 'bench');
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why service mode cannot run here (no Postgres or Redis answers), or undefined when it can. */
async function serviceUnavailable(say: (line: string) => void): Promise<string | undefined> {
  const postgres = new Client({ connectionString: POSTGRES });
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await postgres.connect();
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    const why = `service mode skipped: ${(error as Error).message} (Postgres ${new URL(POSTGRES).host}, Redis ${new URL(REDIS_URL).host})`;
    say(why);
    return why;
  } finally {
    await postgres.end().catch(() => undefined);
    redis.disconnect();
  }
}

function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (reply: { error?: string } & T) =>
      reply.error ? reject(new Error(reply.error)) : resolve(reply),
    );
    child.send(message as object);
  });
}

/** Every sandbox process started, stopped when the bench ends however it ends. */
const started = new Set<ChildProcess>();
process.on('exit', () => started.forEach((child) => child.kill()));

async function host(platform: string, seed: SeedSpec, rateLimit: boolean): Promise<Host> {
  const child = fork(join(dist, 'sandbox-host.js'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // A 100k store is over a gigabyte of rows: a larger young generation keeps an export's short-lived
    // objects from being promoted and then marked again with the whole store (a third less CPU at 100k).
    execArgv: ['--max-old-space-size=8192', '--max-semi-space-size=64', ...profileArgs()],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  const { url } = await ask<{ url: string }>(child, { start: { platform, seed, rateLimit } });
  return {
    process: child,
    url,
    usage: () => ask<HostUsage>(child, { usage: true }),
    stop: () => void child.kill(),
  };
}

/** Runs bench/child.js and returns its usage and what it printed. */
function measure(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ usage: ChildUsage; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(join(dist, 'child.js'), args, {
      silent: true,
      env: { ...process.env, ...env },
      execArgv: profileArgs(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let usage: ChildUsage | undefined;
    child.on('message', (message: { usage?: ChildUsage; error?: string }) => {
      if (message.usage) usage = message.usage;
      if (message.error) stderr += message.error;
    });
    child.on('exit', (code) =>
      usage
        ? resolve({ usage, stdout })
        : reject(new Error(`bench child exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

// A destination is fresh for each run, so its write window is the run's own.
const minus = (after: HostUsage, before: HostUsage): HostUsage => ({
  ...(after.writeWindow ? { writeWindow: after.writeWindow } : {}),
  requests: after.requests - before.requests,
  writes: after.writes - before.writes,
  throttled: after.throttled - before.throttled,
  routes: Object.fromEntries(
    Object.entries(after.routes)
      .map(([route, count]) => [route, count - (before.routes[route] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  ),
  cpuMs: after.cpuMs - before.cpuMs,
  maxRssMb: after.maxRssMb,
});

function runOf(
  flow: Flow,
  customers: number,
  limits: boolean,
  side: BenchRun['side'],
  usage: ChildUsage,
  hosts: HostUsage[],
  records: number,
  entities: BenchRun['entities'],
  status: string,
): BenchRun {
  const sandboxCpuMs = hosts.reduce((sum, h) => sum + h.cpuMs, 0);
  const recordsPerSecond = records / (usage.wallMs / 1000);
  return {
    flow: flow.name,
    customers,
    limits: limits ? 'on' : 'off',
    side,
    records,
    wallMs: Math.round(usage.wallMs),
    cpuMs: Math.round(usage.cpuMs),
    cpuPerRecordMs: round(usage.cpuMs / Math.max(records, 1), 4),
    recordsPerSecond: round(recordsPerSecond, 1),
    maxRssMb: Math.round(usage.maxRssMb),
    requests: hosts.reduce((sum, h) => sum + h.requests, 0),
    requestsPerRecord: round(hosts.reduce((sum, h) => sum + h.requests, 0) / Math.max(records, 1), 3),
    throttled: hosts.reduce((sum, h) => sum + h.throttled, 0),
    sandboxCpuMs: Math.round(sandboxCpuMs),
    sandboxCpuShare: round(sandboxCpuMs / (sandboxCpuMs + usage.cpuMs), 3),
    destinationWrites: hosts[1].writes,
    ...ceilingUse(limits ? flow.ceiling : undefined, hosts[1]),
    entities,
    routes: { source: hosts[0].routes, destination: hosts[1].routes },
    status,
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * How much of the destination's documented ceiling a run used while it wrote to it (from the start of its first
 * write to the end of its last: before that a migration reads its source, and no destination budget is in
 * play). Split in two: the requests its budget allowed in that time that were made, and how full they were with
 * the records the destination stored. A rolling window of n requests admits at most n × (⌊t ÷ window⌋ + 1) in
 * t: a run shorter than a few windows cannot use its budget, so the shares mean something from 10,000 customers.
 */
function ceilingUse(
  ceiling: Flow['ceiling'],
  destination: HostUsage,
): Pick<BenchRun, 'ceilingShare' | 'budgetShare' | 'batchFill'> {
  const window = destination.writeWindow;
  if (!ceiling || !window) return { ceilingShare: null, budgetShare: null, batchFill: null };
  const allowed =
    ceiling.requests * (Math.floor((window.lastWriteAt - window.firstWriteAt) / ceiling.windowMs) + 1);
  return {
    ceilingShare: round(destination.writes / (ceiling.batch * allowed), 3),
    budgetShare: round(window.requests / allowed, 3),
    batchFill: round(destination.writes / (ceiling.batch * Math.max(window.requests, 1)), 3),
  };
}

/** Per entity: records moved and the seconds between its start and finish, from the run's own ledger. */
function entityTimes(ledgerFile: string, runId: string): BenchRun['entities'] {
  const db = new Database(ledgerFile, { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT entity, created, updated, unchanged, merged, started_at, finished_at FROM run_entity WHERE run_id = ?',
      )
      .all(runId) as Record<string, any>[];
    return rows.map((row) => {
      const records = row.created + row.updated + row.unchanged + row.merged;
      const seconds = (Date.parse(row.finished_at) - Date.parse(row.started_at)) / 1000;
      return {
        entity: row.entity,
        records,
        seconds: round(seconds, 2),
        perSecond: round(records / Math.max(seconds, 0.001), 1),
      };
    });
  } finally {
    db.close();
  }
}

/** The flow's plan as a user would write it: batch sizes left to the connectors (pages of 100, batches to the cap). */
function planFile(dir: string, flow: Flow, source: string, destination: string, limits = false): string {
  const credentials = (platform: string) => platformModule(platform).defaultCredentials;
  const plan = {
    name: `bench-${flow.name}`,
    source: { platform: flow.source.platform, url: source, credentials: credentials(flow.source.platform) },
    destination: {
      platform: flow.destination.platform,
      url: destination,
      credentials: credentials(flow.destination.platform),
      ...(limits && flow.statedLimit ? { rateLimit: flow.statedLimit } : {}),
    },
    entities: flow.entities,
    options: { concurrency: 4 },
    ...flow.plan,
  };
  const file = join(dir, `${flow.name}.json`);
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

interface Scenario {
  flow: Flow;
  customers: number;
  limits: boolean;
}

/** Which flows at which sizes: --quick is 1,000 customers with limits off, every flow. */
function scenarios(options: {
  quick?: boolean;
  sizes?: string;
  flows?: string;
  limits?: string;
}): Scenario[] {
  const sizes = options.sizes
    ? options.sizes.split(',').map(Number)
    : options.quick
      ? [1000]
      : [1000, 10_000, 100_000];
  const limits = (options.limits ?? (options.quick ? 'off' : 'off,on')).split(',').map((l) => l === 'on');
  const flows = FLOWS.filter((f) => !options.flows || options.flows.split(',').includes(f.name));
  const out: Scenario[] = [];
  for (const customers of sizes)
    for (const limited of limits)
      for (const flow of flows) {
        // The largest store moves once, Shopify → WooCommerce with limits off; Shopify's point budget (50 a
        // second) makes writing into it with limits on take hours.
        if (customers > 10_000 && (limited || flow.name !== 'shopify-to-woocommerce')) continue;
        if (limited && flow.destination.platform === 'shopify') continue;
        // Rate-limited runs take the platform's time, not ours, and a 1,000-customer run fits in a window or
        // two of the budget, too few to tell whether it is used: 10,000 customers unless sizes are named.
        if (limited && customers !== 10_000 && !options.sizes) continue;
        out.push({ flow, customers, limits: limited });
      }
  return out;
}

interface Measured {
  usage: ChildUsage;
  entities: { entity: string; records: number; seconds: number }[];
  status: string;
}

async function runScenario(
  scenario: Scenario,
  filled: Map<string, Host>,
  service: boolean,
  say: (line: string) => void,
): Promise<BenchRun[]> {
  const { flow, customers, limits } = scenario;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const source =
    'filledBy' in flow.source
      ? filled.get(`${flow.source.filledBy}/${customers}/${limits}`)
      : await host(flow.source.platform, sized(flow.source.seed, customers), limits);
  if (!source) {
    say(
      `  ${flow.name}: skipped (its source is filled by ${(flow.source as { filledBy: string }).filledBy}, not run)`,
    );
    return [];
  }
  const destination = await host(flow.destination.platform, flow.destination.seed, limits);
  const runs: BenchRun[] = [];
  try {
    const ledgerFile = join(dir, 'ledger.db');
    const before = await Promise.all([source.usage(), destination.usage()]);
    const { usage, stdout } = await measure(
      ['hub', planFile(dir, flow, source.url, destination.url, limits)],
      {
        DATABASE_URL: `sqlite:${ledgerFile}`,
      },
    );
    const after = await Promise.all([source.usage(), destination.usage()]);
    const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { runId: string; status: string };
    const entities = entityTimes(ledgerFile, summary.runId);
    const records = entities.reduce((sum, e) => sum + e.records, 0);
    runs.push(
      runOf(
        flow,
        customers,
        limits,
        'switchyard',
        usage,
        [minus(after[0], before[0]), minus(after[1], before[1])],
        records,
        entities,
        summary.status,
      ),
    );
    // Nothing doubled, counted through the destination's own API (after the usage figures were taken).
    if (flow.destination.platform === 'woocommerce') {
      runs[0].destination = await wooDestinationCheck(destination.url, flow.entities);
      if (runs[0].destination.duplicates > 0) runs[0].status = 'duplicated';
    }
    say(line(runs[0]));
    // The other sides write into a fresh destination of their own, from the same source.
    const again = async (side: BenchRun['side'], go: (destinationUrl: string) => Promise<Measured>) => {
      const fresh = await host(flow.destination.platform, flow.destination.seed, limits);
      try {
        const b0 = await Promise.all([source.usage(), fresh.usage()]);
        const measured = await go(fresh.url);
        const b1 = await Promise.all([source.usage(), fresh.usage()]);
        const entities = measured.entities.map((e) => ({
          ...e,
          perSecond: round(e.records / Math.max(e.seconds, 0.001), 1),
        }));
        const records = measured.usage.records ?? entities.reduce((sum, e) => sum + e.records, 0);
        const hosts = [minus(b1[0], b0[0]), minus(b1[1], b0[1])];
        runs.push(
          runOf(flow, customers, limits, side, measured.usage, hosts, records, entities, measured.status),
        );
        say(line(runs[runs.length - 1]));
      } finally {
        fresh.stop();
      }
    };
    if (flow.baseline) {
      const name = flow.baseline;
      await again('baseline', async (url) => ({
        usage: (await measure(['baseline', name, source.url, url])).usage,
        entities: [],
        status: 'completed',
      }));
    }
    if (service) await again('service', (url) => measureService(flow, source.url, url, limits, POSTGRES));
  } finally {
    if (!('filledBy' in flow.source)) source.stop();
    // A flow reading from this one's destination runs next, at the same size and limits.
    if (FLOWS.some((f) => 'filledBy' in f.source && f.source.filledBy === flow.name))
      filled.set(`${flow.name}/${customers}/${limits}`, destination);
    else destination.stop();
  }
  return runs;
}

/** The engine alone: a Shopify store read in bulk into a destination that only acknowledges, twice. */
export interface EngineRun {
  ledger: 'SQLite' | 'Postgres';
  customers: number;
  /** `first`: every record created; `unchanged`: the same store again, nothing to write. */
  pass: 'first' | 'unchanged';
  records: number;
  wallMs: number;
  cpuPerRecordMs: number;
  recordsPerSecond: number;
  maxRssMb: number;
  status: string;
}

/** A database of its own on the Postgres server, dropped afterwards; undefined when there is no server. */
async function scratchPostgres(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const admin = new Client({ connectionString: POSTGRES });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `switchyard_bench_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function runEngine(
  customers: number,
  ledger: EngineRun['ledger'],
  say: (line: string) => void,
): Promise<EngineRun[]> {
  const flow = FLOWS.find((f) => f.name === 'shopify-to-woocommerce')!;
  const postgres = ledger === 'Postgres' ? await scratchPostgres() : undefined;
  if (ledger === 'Postgres' && !postgres) {
    say(`  Postgres: skipped (nothing answers on ${new URL(POSTGRES).host})`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const source = await host('shopify', { kind: 'shop', customers }, false);
  const destination = await host(flow.destination.platform, flow.destination.seed, false);
  const env = { DATABASE_URL: postgres?.url ?? `sqlite:${join(dir, 'ledger.db')}` };
  const plan = planFile(dir, flow, source.url, destination.url);
  const runs: EngineRun[] = [];
  try {
    for (const pass of ['first', 'unchanged'] as const) {
      const { usage, stdout } = await measure(['hub-acknowledged', plan, flow.destination.platform], env);
      const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
        status: string;
        entities: Record<string, Record<string, number>>;
      };
      const records = Object.values(summary.entities).reduce(
        (sum, e) => sum + e.created + e.updated + e.unchanged + e.merged,
        0,
      );
      const run: EngineRun = {
        ledger,
        customers,
        pass,
        records,
        wallMs: Math.round(usage.wallMs),
        cpuPerRecordMs: round(usage.cpuMs / Math.max(records, 1), 4),
        recordsPerSecond: round(records / (usage.wallMs / 1000), 1),
        maxRssMb: Math.round(usage.maxRssMb),
        status: summary.status,
      };
      runs.push(run);
      say(
        `  ${ledger.padEnd(8)} ${pass.padEnd(9)} ${String(records).padStart(7)} records  ${(run.wallMs / 1000).toFixed(1).padStart(6)} s  ${String(run.recordsPerSecond).padStart(8)}/s  cpu ${run.cpuPerRecordMs.toFixed(3)} ms/record  rss ${run.maxRssMb} MB  ${run.status}`,
      );
    }
  } finally {
    source.stop();
    destination.stop();
    await postgres?.drop();
  }
  return runs;
}

const percent = (share: number) => `${(share * 100).toFixed(0)}%`;

const line = (run: BenchRun) =>
  `  ${run.side.padEnd(10)} ${String(run.records).padStart(7)} records  ${(run.wallMs / 1000).toFixed(1).padStart(7)} s  ${String(run.recordsPerSecond).padStart(8)}/s  cpu ${run.cpuPerRecordMs.toFixed(3)} ms/record  rss ${run.maxRssMb} MB  ${run.requestsPerRecord} req/record  429s ${run.throttled}  sandboxes ${(run.sandboxCpuShare * 100).toFixed(0)}% cpu${run.ceilingShare !== null ? `  ceiling ${percent(run.ceilingShare)} (budget ${percent(run.budgetShare!)} × batches ${percent(run.batchFill!)})` : ''}  ${run.destination ? `destination ${run.destination.records} records, ${run.destination.duplicates} duplicates  ` : ''}${run.status}`;

async function main() {
  const options = new Command()
    .name('npm run bench --')
    .option('--quick', 'one store of 1,000 customers, limits off, every flow (a couple of minutes)')
    .option('--sizes <list>', 'customers per store, comma separated (default 1000,10000,100000)')
    .option('--flows <list>', `flows to run (default all: ${FLOWS.map((f) => f.name).join(', ')}, engine)`)
    .option('--limits <list>', "off, on or off,on: the sandboxes' documented rate limits")
    .option(
      '--service',
      `also run each plan through service mode (API + ${SERVICE_WORKERS} workers); default unless --quick`,
    )
    .option('--no-service', 'skip the service-mode runs')
    .option('--out <dir>', 'where the JSON and HTML go', join(packageRoot(), 'bench', 'results'))
    .parse()
    .opts<{
      quick?: boolean;
      sizes?: string;
      flows?: string;
      limits?: string;
      service?: boolean;
      out: string;
    }>();
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const filled = new Map<string, Host>();
  const runs: BenchRun[] = [];
  const started = new Date().toISOString();
  const service = (options.service ?? !options.quick) && (await serviceUnavailable(say)) === undefined;
  for (const scenario of scenarios(options)) {
    say(
      `${scenario.flow.name}, ${scenario.customers.toLocaleString('en')} customers, limits ${scenario.limits ? 'on' : 'off'}`,
    );
    // Service mode up to 10,000 customers: the 100k store is the CLI's.
    runs.push(...(await runScenario(scenario, filled, service && scenario.customers <= 10_000, say)));
  }
  for (const h of filled.values()) h.stop();
  const engine: EngineRun[] = [];
  if (!options.flows || options.flows.split(',').includes('engine')) {
    const size = options.quick ? 1000 : 10_000;
    say(
      `engine: ${size.toLocaleString('en')}-customer Shopify store (bulk read) into a destination that only acknowledges`,
    );
    for (const ledger of ['SQLite', 'Postgres'] as const)
      engine.push(...(await runEngine(size, ledger, say)));
  }
  const result = {
    startedAt: started,
    finishedAt: new Date().toISOString(),
    quick: options.quick === true,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    ledger: 'SQLite (the CLI default)',
    runs,
    engine,
  };
  mkdirSync(options.out, { recursive: true });
  const name = options.quick ? 'quick' : 'full';
  writeFileSync(join(options.out, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(options.out, `${name}.html`), renderHtml(result));
  say(`\nwrote ${join(options.out, `${name}.json`)} and ${name}.html`);
  // Timings are never asserted; a hub run that did not finish is a failure.
  const finished = (status: string) => ['completed', 'completed_with_errors'].includes(status);
  const unfinished = runs.filter((run) => !finished(run.status));
  for (const run of unfinished)
    say(`FAILED: ${run.flow} (${run.customers}, limits ${run.limits}, ${run.side}): ${run.status}`);
  for (const run of engine.filter((r) => !finished(r.status)))
    say(`FAILED: engine (${run.ledger}, ${run.pass}): ${run.status}`);
  if (unfinished.length > 0 || engine.some((r) => !finished(r.status))) process.exitCode = 1;
}

void main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
