import { readFileSync } from 'node:fs';
import { platformModule, startSandbox } from '../connectors/connector.registry';
import { SwitchyardError } from '../common/errors';

interface SandboxFlags {
  port: number;
  seed?: string;
  latencyMs: number;
  rateLimit: 'on' | 'off';
  accessToken?: string;
  consumerKey?: string;
  consumerSecret?: string;
  dailyQuota?: number;
  tokenSeconds?: number;
  searchLagMs?: number;
  storePlan: 'standard' | 'development';
  oldestVersion?: string;
}

/** `switchyard sandbox <platform> --port P …`: serves until interrupted. */
export async function runSandbox(platform: string, flags: SandboxFlags): Promise<number> {
  let seed: Record<string, unknown> | undefined;
  try {
    const module = platformModule(platform);
    if (flags.seed) {
      try {
        seed = JSON.parse(readFileSync(flags.seed, 'utf8')) as Record<string, unknown>;
      } catch (error) {
        throw new SwitchyardError(
          'PLAN_INVALID',
          `cannot read seed ${flags.seed}: ${(error as Error).message}`,
        );
      }
    }
    const credentials = { ...module.defaultCredentials };
    if (flags.accessToken) credentials.accessToken = flags.accessToken;
    if (flags.consumerKey) credentials.consumerKey = flags.consumerKey;
    if (flags.consumerSecret) credentials.consumerSecret = flags.consumerSecret;
    const sandbox = await startSandbox(platform, {
      port: flags.port,
      seed,
      latencyMs: flags.latencyMs,
      rateLimit: flags.rateLimit === 'on',
      credentials,
      dailyQuota: flags.dailyQuota,
      tokenSeconds: flags.tokenSeconds,
      searchLagMs: flags.searchLagMs,
      storePlan: flags.storePlan,
      oldestVersion: flags.oldestVersion,
    });
    // Only the public sandbox defaults are printed; a credential the user chose stays off the terminal.
    const shown = Object.entries(credentials)
      .map(([key, value]) => `${key}=${value === module.defaultCredentials[key] ? value : '(as given)'}`)
      .join(' ');
    process.stdout.write(
      `${platform} sandbox listening on ${sandbox.url} (${shown}; rate limit ${flags.rateLimit}${flags.dailyQuota !== undefined ? `; daily quota ${flags.dailyQuota}` : ''})\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sandbox.close();
    return 0;
  } catch (error) {
    process.stderr.write(`switchyard: ${(error as Error).message}\n`);
    return 2;
  }
}
