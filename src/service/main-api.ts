import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SwitchyardError } from '../common/errors';
import { ConfigError, loadServiceConfig } from '../config/app-config';

/** `npm start`: the admin API on PORT; pending ledger migrations are applied as it opens the ledger. */
async function main(): Promise<void> {
  const config = loadServiceConfig();
  const { ApiModule } = await import('./api.module.js');
  const app = await NestFactory.create(ApiModule, { logger: ['error', 'warn', 'log'], abortOnError: false });
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Switchyard admin API').setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  await app.listen(config.PORT, '0.0.0.0');
  process.stdout.write(`switchyard api listening on port ${config.PORT}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof SwitchyardError ? error.message : `switchyard api: ${(error as Error).message}`}\n`,
  );
  process.exit(2);
});
