import { Module } from '@nestjs/common';
import { EntityRunProcessor } from './queue/entity-run.processor';
import { EntityRunWorker } from './queue/entity-run.worker';
import { SharedServiceModule } from './shared.module';

/** A worker: the shared providers plus the one consumer of entity-run jobs. */
@Module({
  imports: [SharedServiceModule.forRoot({ applyMigrations: false })],
  providers: [EntityRunProcessor, EntityRunWorker],
})
export class WorkerModule {}
