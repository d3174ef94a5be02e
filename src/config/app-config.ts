import { z } from 'zod';

/**
 * Service configuration, parsed once from the environment. A bad environment fails at boot with every
 * bad variable listed. Secrets are listed in SECRET_KEYS so nothing prints them.
 */
const hex64 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes written as 64 hex characters');

const serviceSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL: workers on several machines share one ledger'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  SWITCHYARD_SECRET_KEY: hex64,
  SWITCHYARD_ADMIN_TOKENS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((token) => token.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().min(16, 'each admin token must be at least 16 characters'))
        .min(1, 'must list at least one token'),
    ),
  /** Prefix of every queue key in Redis; lets several installations (or test runs) share one Redis. */
  SWITCHYARD_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default('switchyard'),
  /**
   * Hosts connections may reach: names, `*.suffix` wildcards, addresses and networks, comma-separated.
   * Unset: any public host. Loopback, private and link-local addresses need listing either way.
   */
  SWITCHYARD_ALLOWED_HOSTS: z.string().max(4000).optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** How long a job's lock lives; a crashed worker's job is picked up by another after about this long. */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
});

export type ServiceConfig = z.infer<typeof serviceSchema>;

export const SECRET_KEYS: (keyof ServiceConfig)[] = [
  'SWITCHYARD_SECRET_KEY',
  'SWITCHYARD_ADMIN_TOKENS',
  'DATABASE_URL',
  'REDIS_URL',
];

export class ConfigError extends Error {}

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const parsed = serviceSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(
      `Switchyard cannot start; fix these environment variables:\n${problems.join('\n')}`,
    );
  }
  return parsed.data;
}

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
