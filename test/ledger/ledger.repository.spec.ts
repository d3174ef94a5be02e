import { LedgerRecordRow, RunRow } from '../../src/ledger/ledger.entities';
import { insertRun, zeroCounters } from '../../src/ledger/ledger.repository';
import { LEDGERS, postgresLedger, type TestLedger } from '../helpers/ledger';

const row = (
  migrationId: string,
  runId: string,
  sourceId: string,
  destinationId: string | null,
  status: 'loaded' | 'quarantined' = 'loaded',
  naturalKey: string | null = null,
) => ({
  migrationId,
  entity: 'customers',
  sourceId,
  destinationId,
  status,
  naturalKey,
  lastOutcome: status === 'loaded' ? ('created' as const) : ('quarantined' as const),
  sourceHash: `hash-${sourceId}`,
  inboundMapping: 'shopify.customer@v1#abc',
  outboundMapping: 'woocommerce.customer@v1#def',
  refs: null,
  extraFields: null,
  attempts: 1,
  lastError: status === 'quarantined' ? 'email is not valid' : null,
  lastRunId: runId,
});

describe.each(LEDGERS)('ledger on %s', (_name, open) => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await open();
  });
  afterAll(async () => {
    await t.close();
  });

  const newMigration = (name: string) =>
    t.ledger.ensureMigration({
      name,
      sourcePlatform: 'shopify',
      destinationPlatform: 'woocommerce',
      sourceUrl: 'http://a',
      destinationUrl: 'http://b',
    });

  it('moves CLI runs through the one run state machine, refusing what it does not allow', async () => {
    const migration = await newMigration('lifecycle');
    const state = async (id: string) => (await t.dataSource.getRepository(RunRow).findOneBy({ id }))!;
    const { run } = await t.ledger.openRun(migration.id, ['customers'], false);
    expect((await state(run.id)).status).toBe('running');
    expect(await t.ledger.finishRun(run.id, 'interrupted')).toBe(true);
    // Run again: the interrupted run goes on, the same run.
    const again = await t.ledger.openRun(migration.id, ['customers'], false);
    expect(again).toMatchObject({ resumed: true, run: { id: run.id } });
    expect(await t.ledger.finishRun(run.id, 'completed')).toBe(true);
    expect(await state(run.id)).toMatchObject({ status: 'completed', error: null });
    // A finished run stays finished: neither failing nor recovering it moves it.
    expect(await t.ledger.finishRun(run.id, 'failed', 'late')).toBe(false);
    const next = await t.ledger.openRun(migration.id, ['customers'], false);
    expect(next).toMatchObject({ resumed: false });
    expect(next.run.id).not.toBe(run.id);
    expect((await state(run.id)).status).toBe('completed');
  });

  it('raises the high-water mark when a full or delta run completes, never for a retry, a stop or a dry run', async () => {
    const migration = await newMigration('watermarks');
    const commit = (runId: string, highWater: string) =>
      t.ledger.commitPage(migration.id, runId, 'customers', {
        rows: [],
        counters: zeroCounters(),
        highWater,
      });
    const full = (await t.ledger.openRun(migration.id, ['customers'], false)).run;
    await commit(full.id, '2026-01-01T00:00:00.000Z');
    await commit(full.id, '2025-12-31T00:00:00.000Z');
    expect(await t.ledger.watermark(migration.id, 'customers')).toBeNull();
    await t.ledger.finishRun(full.id, 'completed');
    expect(await t.ledger.watermark(migration.id, 'customers')).toBe('2026-01-01T00:00:00.000Z');
    // A delta that stops part-way moves nothing.
    const delta = (await t.ledger.openRun(migration.id, ['customers'], false, 'delta')).run;
    await commit(delta.id, '2026-02-01T00:00:00.000Z');
    await t.ledger.finishRun(delta.id, 'interrupted');
    expect(await t.ledger.watermark(migration.id, 'customers')).toBe('2026-01-01T00:00:00.000Z');
    // The stopped delta, run again and completed, moves it.
    const again = await t.ledger.openRun(migration.id, ['customers'], false, 'delta');
    expect(again).toMatchObject({ resumed: true, run: { id: delta.id } });
    await t.ledger.finishRun(delta.id, 'completed');
    expect(await t.ledger.watermark(migration.id, 'customers')).toBe('2026-02-01T00:00:00.000Z');
    // A retry reads only some records: the time of one of them says nothing of the rest.
    const retry = await t.dataSource.transaction((manager) =>
      insertRun(manager, {
        migrationId: migration.id,
        entities: ['customers'],
        status: 'running',
        dryRun: false,
        kind: 'retry',
        retryOf: full.id,
      }),
    );
    await commit(retry.id, '2026-03-01T00:00:00.000Z');
    await t.ledger.finishRun(retry.id, 'completed');
    // Nor does a dry run, which writes nothing.
    const dry = (await t.ledger.openRun(migration.id, ['customers'], true, 'delta')).run;
    await commit(dry.id, '2026-04-01T00:00:00.000Z');
    await t.ledger.finishRun(dry.id, 'completed');
    expect(await t.ledger.watermark(migration.id, 'customers')).toBe('2026-02-01T00:00:00.000Z');
  });

  it('keeps one row per (migration, entity, source id), however often it is written', async () => {
    const migration = await newMigration('idempotent');
    const { run } = await t.ledger.openRun(migration.id, ['customers'], false);
    const counters = { ...zeroCounters(), extracted: 2, created: 2 };
    await t.ledger.commitPage(migration.id, run.id, 'customers', {
      rows: [row(migration.id, run.id, 'c1', 'd1'), row(migration.id, run.id, 'c2', 'd2')],
      counters,
      checkpoint: 'page-2',
    });
    await t.ledger.commitPage(migration.id, run.id, 'customers', {
      rows: [row(migration.id, run.id, 'c1', 'd1b')],
      counters: zeroCounters(),
      checkpoint: 'page-2',
    });
    const rows = await t.dataSource.getRepository(LedgerRecordRow).findBy({ migrationId: migration.id });
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.sourceId === 'c1')?.destinationId).toBe('d1b');
    const state = await t.ledger.runEntity(run.id, 'customers');
    expect(state).toMatchObject({ checkpoint: 'page-2', extracted: 2, created: 2 });
  });

  it('marks records pending before a load, keeping their destination id', async () => {
    const migration = await newMigration('pending');
    const { run } = await t.ledger.openRun(migration.id, ['customers'], false);
    await t.ledger.commitPage(migration.id, run.id, 'customers', {
      rows: [row(migration.id, run.id, 'c1', 'd1')],
      counters: zeroCounters(),
    });
    await t.ledger.markPending(migration.id, 'customers', run.id, ['c1', 'c2']);
    const rows = await t.ledger.rowsBySourceId(migration.id, 'customers', ['c1', 'c2']);
    expect(rows.get('c1')).toMatchObject({ status: 'pending', destinationId: 'd1', attempts: 2 });
    expect(rows.get('c2')).toMatchObject({ status: 'pending', destinationId: null, attempts: 1 });
  });

  it('gives back the rows and journal entries it was given, whatever their text and JSON hold', async () => {
    const migration = await newMigration('round trip');
    const { run } = await t.ledger.openRun(migration.id, ['customers'], false);
    const odd = "quote \" backslash \\ newline \n tab \t {braces} [brackets] é ü 😀 \u2028 'single'";
    const refs = { variants: { 'SKU "1"': '41', [odd]: '42' } };
    const written = {
      ...row(migration.id, run.id, odd, 'd"1'),
      sourceHash: 'e3b0c442',
      refs,
      extraFields: ['note', odd],
      lastError: odd,
    };
    const before = {
      name: odd,
      price: '10.50',
      tags: ['a', null, 3, { deep: [odd] }],
      empty: {},
      none: null,
    };
    await t.ledger.commitPage(migration.id, run.id, 'customers', {
      rows: [written, row(migration.id, run.id, 'c2', null, 'quarantined')],
      journal: [
        {
          sourceId: odd,
          part: 'record',
          object: 'customers',
          destinationId: 'd"1',
          action: 'updated',
          before,
          after: { name: 'new' },
          related: { children: { lines: [{ sku: odd }] } },
          link: null,
          parts: [
            {
              part: 'line',
              object: 'line_items',
              destinationId: odd,
              action: 'updated',
              before: { qty: odd },
            },
            {
              part: 'association',
              object: 'deals',
              destinationId: '8',
              action: 'linked',
              link: { from: odd, to: '2' },
            },
          ],
        },
        {
          sourceId: 'c2',
          part: 'association',
          object: 'deals',
          destinationId: '7',
          action: 'linked',
          before: null,
          after: null,
          related: null,
          link: { from: '1', to: '2', type: odd },
        },
      ],
      counters: zeroCounters(),
    });
    const rows = await t.ledger.rowsBySourceId(migration.id, 'customers', [odd, 'c2']);
    expect(rows.get(odd)).toMatchObject({ ...written, refs, extraFields: ['note', odd] });
    expect(rows.get('c2')).toMatchObject({ refs: null, extraFields: null, destinationId: null, attempts: 1 });
    const journal = await t.ledger.journal(migration.id, { runId: run.id });
    expect(journal.find((entry) => entry.sourceId === odd)).toMatchObject({
      destinationId: 'd"1',
      before,
      after: { name: 'new' },
      related: { children: { lines: [{ sku: odd }] } },
      link: null,
    });
    expect(journal.find((entry) => entry.sourceId === 'c2')).toMatchObject({
      before: null,
      link: { from: '1', to: '2', type: odd },
    });
    // A record's parts, kept with its entry, are listed after it as writes of their own.
    expect(
      journal
        .filter((entry) => entry.sourceId === odd)
        .map(({ part, destinationId, action, before, link }) => ({
          part,
          destinationId,
          action,
          before,
          link,
        })),
    ).toEqual([
      { part: 'record', destinationId: 'd"1', action: 'updated', before, link: null },
      { part: 'line', destinationId: odd, action: 'updated', before: { qty: odd }, link: null },
      {
        part: 'association',
        destinationId: '8',
        action: 'linked',
        before: null,
        link: { from: odd, to: '2' },
      },
    ]);
  });

  it('resumes an unfinished run and starts a new one after a finished run', async () => {
    const migration = await newMigration('resume');
    const first = await t.ledger.openRun(migration.id, ['customers', 'orders'], false);
    await t.ledger.commitPage(migration.id, first.run.id, 'customers', {
      rows: [],
      counters: { ...zeroCounters(), extracted: 5 },
      checkpoint: 'cursor-5',
    });
    const again = await t.ledger.openRun(migration.id, ['customers', 'orders'], false);
    expect(again).toMatchObject({ resumed: true, run: { id: first.run.id } });
    expect(await t.ledger.runEntity(first.run.id, 'customers')).toMatchObject({
      checkpoint: 'cursor-5',
      extracted: 5,
    });
    await t.ledger.finishRun(first.run.id, 'completed');
    const next = await t.ledger.openRun(migration.id, ['customers', 'orders'], false);
    expect(next.resumed).toBe(false);
    expect(next.run.id).not.toBe(first.run.id);
  });

  it("lists a run's quarantined records with their reasons", async () => {
    const migration = await newMigration('problems');
    const { run } = await t.ledger.openRun(migration.id, ['customers'], false);
    await t.ledger.commitPage(migration.id, run.id, 'customers', {
      rows: [row(migration.id, run.id, 'ok', 'd'), row(migration.id, run.id, 'bad', null, 'quarantined')],
      counters: zeroCounters(),
    });
    const problems = await t.ledger.problems(migration.id, run.id);
    expect(problems.map((p) => [p.sourceId, p.lastError])).toEqual([['bad', 'email is not valid']]);
  });

  it('finds merge survivors by key among loaded rows only, the earliest first', async () => {
    const migration = await newMigration('merge-keys');
    const { run } = await t.ledger.openRun(migration.id, ['customers'], false);
    await t.ledger.commitPage(migration.id, run.id, 'customers', {
      rows: [
        row(migration.id, run.id, 'bad', null, 'quarantined', 'ann@example.com'),
        row(migration.id, run.id, 'first', 'd1', 'loaded', 'ann@example.com'),
        row(migration.id, run.id, 'other', 'd2', 'loaded', 'bob@example.com'),
        row(migration.id, run.id, 'none', 'd3', 'loaded', null),
      ],
      counters: { ...zeroCounters(), skipped: 1, merged: 2 },
    });
    const survivors = await t.ledger.loadedByNaturalKey(migration.id, 'customers', [
      'ann@example.com',
      'zed@example.com',
    ]);
    expect([...survivors].map(([key, r]) => [key, r.sourceId, r.destinationId])).toEqual([
      ['ann@example.com', 'first', 'd1'],
    ]);
    const state = await t.ledger.runEntity(run.id, 'customers');
    expect([state.skipped, state.merged]).toEqual([1, 2]);
  });

  it('refuses to reuse a migration name for another pair of platforms', async () => {
    await newMigration('pair');
    await expect(
      t.ledger.ensureMigration({
        name: 'pair',
        sourcePlatform: 'woocommerce',
        destinationPlatform: 'shopify',
        sourceUrl: 'x',
        destinationUrl: 'y',
      }),
    ).rejects.toThrow(/already exists in this ledger as shopify → woocommerce/);
  });
});

describe('ledger schema', () => {
  it('is exactly what the entities describe once the migrations have run (Postgres)', async () => {
    const t = await postgresLedger();
    try {
      const pending = await t.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
