import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { NextFunction, Request, Response } from 'express';
import { loadServiceConfig } from '../config/app-config';
import { AdminTokenGuard, hasAdminToken } from './api/auth.guard';
import { ApiErrorFilter } from './api/error.filter';
import { ConnectionsController } from './connections/connections.controller';
import { LedgerViewService } from './migrations/ledger-view.service';
import { MigrationsController } from './migrations/migrations.controller';
import { HealthController } from './observability/health.controller';
import { MetricsController } from './observability/metrics.controller';
import { ENTITY_QUEUE } from './queue/queue.constants';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { SharedServiceModule } from './shared.module';

const tokens = loadServiceConfig().SWITCHYARD_ADMIN_TOKENS;

/** Bull Board sits behind the same admin tokens as the API. */
function boardAuth(req: Request, res: Response, next: NextFunction): void {
  if (hasAdminToken(req.header('authorization'), tokens)) next();
  else
    res
      .status(401)
      .json({ statusCode: 401, message: 'send Authorization: Bearer <one of SWITCHYARD_ADMIN_TOKENS>' });
}

@Module({
  imports: [
    SharedServiceModule.forRoot({ applyMigrations: true }),
    TerminusModule,
    BullBoardModule.forRoot({ route: '/api/queues', adapter: ExpressAdapter, middleware: boardAuth }),
    BullBoardModule.forFeature({ name: ENTITY_QUEUE, adapter: BullMQAdapter }),
  ],
  controllers: [
    ConnectionsController,
    MigrationsController,
    RunsController,
    HealthController,
    MetricsController,
  ],
  providers: [
    RunsService,
    LedgerViewService,
    { provide: APP_GUARD, useClass: AdminTokenGuard },
    { provide: APP_FILTER, useClass: ApiErrorFilter },
  ],
})
export class ApiModule {}
