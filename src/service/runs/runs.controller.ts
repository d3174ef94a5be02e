import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  MessageEvent,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Sse,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  distinctUntilChanged,
  from,
  interval,
  map,
  type Observable,
  startWith,
  switchMap,
  takeWhile,
} from 'rxjs';
import { TERMINAL_RUN } from '../../ledger/run-states';
import type { z } from 'zod';
import { SwitchyardError } from '../../common/errors';
import { Needs } from '../api/auth.guard';
import { jsonSchema } from '../api/openapi';
import { predictionQuery, rollbackBody } from '../api/schemas';
import { ZodPipe } from '../api/zod-body.pipe';
import { DryRunStore } from './dry-run.store';
import { RunsService } from './runs.service';

const EVENT_INTERVAL_MS = 500;

@ApiTags('runs')
@ApiBearerAuth()
@Controller('api/runs')
export class RunsController {
  constructor(
    @Inject(RunsService) private readonly runs: RunsService,
    @Inject(DryRunStore) private readonly dryRuns: DryRunStore,
  ) {}

  @Get(':runId')
  status(@Param('runId', new ParseUUIDPipe()) runId: string) {
    return this.runs.status(runId);
  }

  @Post(':runId/pause')
  @Needs('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop at the next page boundary' })
  pause(@Param('runId', new ParseUUIDPipe()) runId: string) {
    return this.runs.act(runId, 'pause');
  }

  @Post(':runId/resume')
  @Needs('operator')
  @HttpCode(200)
  resume(@Param('runId', new ParseUUIDPipe()) runId: string) {
    return this.runs.act(runId, 'resume');
  }

  @Post(':runId/cancel')
  @Needs('operator')
  @HttpCode(200)
  cancel(@Param('runId', new ParseUUIDPipe()) runId: string) {
    return this.runs.act(runId, 'cancel');
  }

  @Post(':runId/retry')
  @Needs('operator')
  @HttpCode(202)
  @ApiOperation({ summary: 'A new run of only the records that are quarantined or failed' })
  retry(@Param('runId', new ParseUUIDPipe()) runId: string) {
    return this.runs.retry(runId);
  }

  @Post(':runId/rollback')
  @Needs('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Undo the run: delete what it created, restore what it updated, create again what it deleted; a record changed since is kept',
  })
  @ApiBody({ schema: jsonSchema(rollbackBody), required: false })
  rollback(
    @Param('runId', new ParseUUIDPipe()) runId: string,
    @Body(new ZodPipe(rollbackBody)) body: z.infer<typeof rollbackBody>,
  ) {
    return this.runs.rollback(runId, body);
  }

  /** A dry run's prediction for every record, in pages: what the real run would do. */
  @Get(':runId/predictions')
  async predictions(
    @Param('runId', new ParseUUIDPipe()) runId: string,
    @Query(new ZodPipe(predictionQuery)) query: z.infer<typeof predictionQuery>,
  ) {
    const run = await this.runs.get(runId);
    if (!run.dryRun)
      throw new SwitchyardError(
        'LEDGER_STATE',
        `run ${runId} is not a dry run; its outcomes are in the ledger`,
      );
    return this.dryRuns.predictions(runId, query.offset, query.limit);
  }

  /** Progress as Server-Sent Events, read from the ledger (workers may be on other machines); ends when the run does. */
  @Sse(':runId/events')
  async events(@Param('runId', new ParseUUIDPipe()) runId: string): Promise<Observable<MessageEvent>> {
    await this.runs.get(runId);
    return interval(EVENT_INTERVAL_MS).pipe(
      startWith(0),
      switchMap(() => from(this.runs.status(runId))),
      map((status) => JSON.stringify(status)),
      distinctUntilChanged(),
      takeWhile((text) => !TERMINAL_RUN.includes((JSON.parse(text) as { status: never }).status), true),
      map((text) => ({ type: 'progress', data: text })),
    );
  }
}
