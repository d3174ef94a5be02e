import { ReferenceResolver } from '../../src/engine/reference.resolver';
import { zeroCounters } from '../../src/ledger/ledger.repository';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';

describe('reference resolution of CRM records', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await sqliteLedger();
  });
  afterAll(() => t.close());

  it('leaves an unmatched owner off with a warning, and still quarantines a missing organization', async () => {
    const migration = await t.ledger.ensureMigration({
      name: 'crm',
      sourcePlatform: 'hubspot',
      destinationPlatform: 'hubspot',
      sourceUrl: 'a',
      destinationUrl: 'b',
    });
    const { run } = await t.ledger.openRun(migration.id, ['users', 'organizations'], false);
    const base = {
      migrationId: migration.id,
      naturalKey: null,
      sourceHash: 'h',
      inboundMapping: null,
      outboundMapping: null,
      refs: null,
      extraFields: null,
      attempts: 1,
      lastRunId: run.id,
    };
    await t.ledger.commitPage(migration.id, run.id, 'users', {
      rows: [
        {
          ...base,
          entity: 'users',
          sourceId: 'u1',
          destinationId: '900',
          status: 'loaded',
          lastOutcome: 'unchanged',
          lastError: null,
        },
        {
          ...base,
          entity: 'users',
          sourceId: 'u2',
          destinationId: null,
          status: 'quarantined',
          lastOutcome: 'quarantined',
          lastError: 'no destination user has email bo@example.com',
        },
      ],
      counters: zeroCounters(),
    });
    await t.ledger.commitPage(migration.id, run.id, 'organizations', {
      rows: [
        {
          ...base,
          entity: 'organizations',
          sourceId: 'o1',
          destinationId: '700',
          status: 'loaded',
          lastOutcome: 'created',
          lastError: null,
        },
      ],
      counters: zeroCounters(),
    });
    const matched = {
      organization: { entity: 'organization', sourceId: 'o1' },
      owner: { entity: 'user', sourceId: 'u1' },
    };
    const unmatched = {
      organization: { entity: 'organization', sourceId: 'o1' },
      owner: { entity: 'user', sourceId: 'u2' },
    };
    const orphan = {
      organization: { entity: 'organization', sourceId: 'o404' },
      owner: { entity: 'user', sourceId: 'u1' },
    };
    const resolver = new ReferenceResolver('contact', t.ledger, migration.id);
    const { problems, warnings } = await resolver.resolvePage([
      { sourceId: 'c1', canonical: matched },
      { sourceId: 'c2', canonical: unmatched },
      { sourceId: 'c3', canonical: orphan },
    ]);
    expect(matched.owner).toMatchObject({ destinationId: '900' });
    expect(unmatched.owner).not.toHaveProperty('destinationId');
    expect(unmatched.organization).toMatchObject({ destinationId: '700' });
    expect([...warnings]).toEqual([
      [
        'c2',
        [
          expect.stringMatching(
            /^loaded without its owner: user u2 has no match in the destination \(.*bo@example.com\)$/,
          ),
        ],
      ],
    ]);
    expect([...problems.keys()]).toEqual(['c3']);
    expect(problems.get('c3')![0]).toMatch(/organization o404 does not exist in the source/);
  });
});
