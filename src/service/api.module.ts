import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AccessController } from './access/access.controller';
import { AccessGate, requireRole } from './access/access-gate';
import { AuditLogService } from './access/audit-log.service';
import { TokensService } from './access/tokens.service';
import { AccessGuard } from './api/auth.guard';
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

@Module({
  imports: [
    SharedServiceModule.forRoot({ applyMigrations: true }),
    TerminusModule,
    // Bull Board can retry and delete jobs: admins only.
    BullBoardModule.forRoot({
      route: '/api/queues',
      adapter: ExpressAdapter,
      middleware: requireRole('admin'),
    }),
    BullBoardModule.forFeature({ name: ENTITY_QUEUE, adapter: BullMQAdapter }),
  ],
  controllers: [
    AccessController,
    ConnectionsController,
    MigrationsController,
    RunsController,
    HealthController,
    MetricsController,
  ],
  providers: [
    RunsService,
    LedgerViewService,
    TokensService,
    AuditLogService,
    AccessGate,
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_FILTER, useClass: ApiErrorFilter },
  ],
})
export class ApiModule {}
