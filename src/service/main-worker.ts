import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SwitchyardError } from '../common/errors';
import { boundHeapGrowth } from '../common/heap-growth';
import { ConfigError, loadServiceConfig } from '../config/app-config';
import { platformNames } from '../connectors/connector.registry';
import { EgressPolicy } from '../security/egress-policy';
import { guardOutboundConnections } from '../security/outbound-guard';

/** `npm run worker`: one queue worker; start as many as you like on as many machines. */
async function main(): Promise<void> {
  boundHeapGrowth();
  const config = loadServiceConfig();
  const { WorkerModule } = await import('./worker.module.js');
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: ['error', 'warn', 'log'],
    abortOnError: false,
  });
  app.enableShutdownHooks();
  guardOutboundConnections(app.get(EgressPolicy));
  // Every connector's code is loaded now, not by the first job to need it (half a second of CPU in its run).
  platformNames();
  process.stdout.write(`switchyard worker started (concurrency ${config.WORKER_CONCURRENCY})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof SwitchyardError ? error.message : `switchyard worker: ${(error as Error).message}`}\n`,
  );
  process.exit(2);
});
