import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SwitchyardError } from '../common/errors';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Response } from 'express';
import { ConfigError, loadServiceConfig } from '../config/app-config';
import { platformNames } from '../connectors/connector.registry';
import { EgressPolicy } from '../security/egress-policy';
import { guardOutboundConnections } from '../security/outbound-guard';
import { type AuthorizedRequest, requireRole } from './access/access-gate';
import { AuditLogService } from './access/audit-log.service';

/** Largest request body the API reads: plans and uploaded mappings fit many times over. */
const BODY_LIMIT = '1mb';

/**
 * Every action (anything but a read) and every refused request goes to the audit log once answered: the
 * token's name and role, method, path, status and address.
 */
function auditEveryAction(auditLog: AuditLogService) {
  return (req: AuthorizedRequest, res: Response, next: NextFunction): void => {
    res.on('finish', () => {
      const refused = [401, 403, 413, 429].includes(res.statusCode);
      if ((req.method === 'GET' || req.method === 'HEAD') && !refused) return;
      void auditLog.record({
        actor: req.actor?.name ?? 'anonymous',
        role: req.actor?.role ?? null,
        method: req.method,
        path: req.originalUrl.split('?')[0].slice(0, 400),
        status: res.statusCode,
        ip: (req.ip ?? req.socket.remoteAddress ?? 'unknown').slice(0, 64),
      });
    });
    next();
  };
}

/** `npm start`: the admin API on PORT; pending ledger migrations are applied as it opens the ledger. */
async function main(): Promise<void> {
  const config = loadServiceConfig();
  const { ApiModule } = await import('./api.module.js');
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, {
    logger: ['error', 'warn', 'log'],
    abortOnError: false,
    bodyParser: false,
  });
  app.enableShutdownHooks();
  guardOutboundConnections(app.get(EgressPolicy));
  // A body over the limit is a 413 before any handler sees it.
  app.useBodyParser('json', { limit: BODY_LIMIT });
  const auditLog = app.get(AuditLogService);
  app.use(auditEveryAction(auditLog));
  app.use(['/api/docs', '/api/docs-json', '/api/docs-yaml'], requireRole('viewer'));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Switchyard admin API').setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  // Every connector's code is loaded before the first request, which would otherwise wait for it.
  platformNames();
  await app.listen(config.PORT, '0.0.0.0');
  process.stdout.write(`switchyard api listening on port ${config.PORT}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof SwitchyardError ? error.message : `switchyard api: ${(error as Error).message}`}\n`,
  );
  process.exit(2);
});
