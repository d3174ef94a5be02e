import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { Needs } from '../api/auth.guard';
import { jsonSchema } from '../api/openapi';
import { cutoverBody, ledgerQuery, migrationBody, runBody } from '../api/schemas';
import { ZodPipe } from '../api/zod-body.pipe';
import { prepareAudit, runAudit } from '../../audit/audit';
import { advanceCutover, cutoverReport } from '../../cutover/cutover';
import { LedgerRepository } from '../../ledger/ledger.repository';
import { reconcile } from '../../reconcile/reconcile';
import { RunsService } from '../runs/runs.service';
import { LedgerViewService } from './ledger-view.service';
import { MigrationsService } from './migrations.service';

@ApiTags('migrations')
@ApiBearerAuth()
@Controller('api/migrations')
export class MigrationsController {
  constructor(
    @Inject(MigrationsService) private readonly migrations: MigrationsService,
    @Inject(RunsService) private readonly runs: RunsService,
    @Inject(LedgerViewService) private readonly ledger: LedgerViewService,
    @Inject(LedgerRepository) private readonly ledgerRepository: LedgerRepository,
  ) {}

  @Post()
  @Needs('operator')
  @HttpCode(201)
  @ApiOperation({ summary: 'Define a migration between two stored connections' })
  @ApiBody({ schema: jsonSchema(migrationBody) })
  create(@Body(new ZodPipe(migrationBody)) body: z.infer<typeof migrationBody>) {
    return this.migrations.create(body);
  }

  @Get()
  list() {
    return this.migrations.list();
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.migrations.get(id);
  }

  @Post(':id/runs')
  @Needs('operator')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a run of all entities, or of some; workers pick it up' })
  @ApiBody({ schema: jsonSchema(runBody), required: false })
  start(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(runBody)) body: z.infer<typeof runBody>,
  ) {
    return this.runs.start(id, body);
  }

  @Post(':id/audit')
  @Needs('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Read the source and report counts by category and problem records; writes nothing',
  })
  async audit(@Param('id', new ParseUUIDPipe()) id: string) {
    const plan = await this.migrations.plan(await this.migrations.get(id));
    return runAudit(plan, await prepareAudit(plan, this.migrations.prepareOptions));
  }

  @Get(':id/reconciliation')
  @ApiOperation({
    summary:
      'Source, ledger and destination compared: counts, aggregates, references, fields; verdict pass or fail',
  })
  async reconciliation(@Param('id', new ParseUUIDPipe()) id: string) {
    return reconcile(await this.migrations.prepared(await this.migrations.get(id)), this.ledgerRepository);
  }

  @Get(':id/cutover')
  @ApiOperation({
    summary:
      'The cutover runbook: each step with what it does, its expected duration, success criterion and rollback, and how it went',
  })
  async cutover(@Param('id', new ParseUUIDPipe()) id: string) {
    return cutoverReport(
      await this.migrations.prepared(await this.migrations.get(id)),
      this.ledgerRepository,
    );
  }

  @Post(':id/cutover')
  @Needs('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Run the cutover from where it stands until a step waits for the operator (confirm: freeze | switch), fails, or it completes',
  })
  @ApiBody({ schema: jsonSchema(cutoverBody), required: false })
  async advanceCutover(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(cutoverBody)) body: z.infer<typeof cutoverBody>,
  ) {
    const migration = await this.migrations.get(id);
    await this.runs.refuseIfActive(id);
    return advanceCutover(await this.migrations.prepared(migration), this.ledgerRepository, body);
  }

  @Get(':id/ledger')
  @ApiOperation({
    summary: 'Lineage rows: source id → destination id, outcome, mapping versions, attempts, last error',
  })
  async page(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query(new ZodPipe(ledgerQuery)) query: z.infer<typeof ledgerQuery>,
  ) {
    await this.migrations.get(id);
    return this.ledger.page(id, query);
  }
}
