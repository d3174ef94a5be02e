import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import type Redis from 'ioredis';
import IORedis from 'ioredis';
import { packageRoot } from '../common/package-root';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

interface Proc {
  child: ChildProcess;
  output: string[];
}

/**
 * A fresh Postgres database and Redis prefix, an API process and N worker processes, as `npm start` / `npm run
 * worker` run them (from dist/: build first). Used by the service tests and by the bench's service-mode runs.
 */
export class ServiceHarness {
  readonly output: string[] = [];
  readonly workers: Proc[] = [];
  api?: Proc;
  port = 0;
  private database = '';
  private env: NodeJS.ProcessEnv = {};

  /** `settings`: environment over the test defaults (worker concurrency, lock time); `nodeArgs`: for node itself. */
  constructor(
    private readonly postgresAdminUrl = POSTGRES_ADMIN_URL,
    private readonly settings: Record<string, string> = {},
    private readonly nodeArgs: string[] = [],
  ) {}

  /** The Redis prefix of this service's queues, for tests that read a job's attempts. */
  get queuePrefix(): string {
    return `sytest-${this.database}`;
  }

  async start(workers: number): Promise<void> {
    this.database = `switchyard_svc_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new Client({ connectionString: this.postgresAdminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${this.database}`);
    await admin.end();
    const url = new URL(this.postgresAdminUrl);
    url.pathname = `/${this.database}`;
    this.port = await freePort();
    this.env = {
      ...process.env,
      DATABASE_URL: url.toString(),
      REDIS_URL,
      SWITCHYARD_SECRET_KEY: 'f'.repeat(64),
      SWITCHYARD_ADMIN_TOKENS: ADMIN_TOKEN,
      // The sandboxes listen on loopback, which the service refuses unless it is listed.
      SWITCHYARD_ALLOWED_HOSTS: '127.0.0.1',
      SWITCHYARD_QUEUE_PREFIX: this.queuePrefix,
      JOB_LOCK_MS: '2000',
      WORKER_CONCURRENCY: '2',
      PORT: String(this.port),
      ...this.settings,
    };
    this.api = this.spawn('main-api.js');
    await this.waitForHealth();
    for (let i = 0; i < workers; i++) this.addWorker();
  }

  addWorker(): Proc {
    const worker = this.spawn('main-worker.js');
    this.workers.push(worker);
    return worker;
  }

  private spawn(file: string): Proc {
    const child = spawn(
      process.execPath,
      [...this.nodeArgs, join(packageRoot(), 'dist', 'src', 'service', file)],
      {
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const proc = { child, output: [] as string[] };
    const keep = (chunk: Buffer) => {
      proc.output.push(chunk.toString());
      this.output.push(chunk.toString());
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return proc;
  }

  private async waitForHealth(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/api/health`)).ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((done) => setTimeout(done, 150));
    }
    throw new Error(`the API did not become healthy:\n${this.output.join('')}`);
  }

  /** Every API response body is kept, so a test can check none carries a secret. */
  readonly responses: string[] = [];

  async call(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = ADMIN_TOKEN,
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    this.responses.push(text);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: metrics, html */
    }
    return { status: response.status, body: parsed };
  }

  async waitForRun(
    runId: string,
    done: (status: any) => boolean = (s) =>
      ['completed', 'completed_with_errors', 'failed', 'cancelled'].includes(s.status),
    timeoutMs = 90_000,
    pollMs = 200,
  ): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await this.call('GET', `/api/runs/${runId}`);
      if (done(body)) return body;
      if (Date.now() > until)
        throw new Error(
          `run ${runId} did not get there: ${JSON.stringify(body)}\n${this.output.slice(-20).join('')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Rows of a query on the service's own database, for what the API does not show. */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const client = new Client({ connectionString: this.env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }

  /** Every text column of every ledger table, for secret scans. */
  async ledgerDump(): Promise<string> {
    const tables = [
      'connection',
      'migration',
      'run',
      'run_entity',
      'ledger_record',
      'api_token',
      'audit_event',
    ];
    const parts: string[] = [];
    for (const table of tables) parts.push(JSON.stringify(await this.query(`SELECT * FROM ${table}`)));
    return parts.join('\n');
  }

  /** Everything this installation keeps in Redis is lost at once: queue, jobs, locks, rate budgets. */
  async flushRedis(): Promise<number> {
    const redis = this.redis();
    try {
      const keys = await redis.keys(`${this.env.SWITCHYARD_QUEUE_PREFIX}*`);
      if (keys.length > 0) await redis.del(...keys);
      return keys.length;
    } finally {
      await redis.quit();
    }
  }

  redis(): Redis {
    return new IORedis(REDIS_URL);
  }

  async stop(): Promise<void> {
    for (const proc of [...this.workers, ...(this.api ? [this.api] : [])]) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await new Promise((done) => {
          const timer = setTimeout(() => {
            proc.child.kill('SIGKILL');
            done(undefined);
          }, 5000);
          proc.child.once('exit', () => {
            clearTimeout(timer);
            done(undefined);
          });
        });
      }
    }
    const redis = this.redis();
    const keys = await redis.keys(`${this.env.SWITCHYARD_QUEUE_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    const admin = new Client({ connectionString: this.postgresAdminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await admin.end();
  }
}
