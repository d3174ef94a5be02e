import { prepareAudit, runAudit } from '../../src/audit/audit';
import { forgetEntity } from '../../src/canonical/entities';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { parsePlan } from '../../src/plan/migration-plan';
import { reconcile } from '../../src/reconcile/reconcile';
import '../fixtures/note-entity/note.entity';
import { sqliteLedger } from '../helpers/ledger';
import { memoryAccount, registerMemoryPlatform } from '../helpers/memory-platform';

/**
 * A canonical entity declared only in a test fixture (a note about a contact, with its registry entry and
 * two mapping files), on a platform registered only by the test: audit, reference resolution, loading and
 * reconcile handle it with nothing in src/ naming it.
 */
describe('a canonical entity added in its registry entry alone', () => {
  const SOURCE = 'http://127.0.0.1/notes-source';
  const DESTINATION = 'http://127.0.0.1/notes-destination';
  const mappings = {
    'memory.contact': { file: 'test/fixtures/note-entity/memory/contact.v1.yaml' },
    'memory.note': { file: 'test/fixtures/note-entity/memory/note.v1.yaml' },
  };
  const plan = () =>
    parsePlan(
      {
        name: 'notes',
        source: { platform: 'memory', url: SOURCE },
        destination: { platform: 'memory', url: DESTINATION },
        // Listed notes first: dependency order comes from the note's declared reference.
        entities: ['notes', 'contacts'],
        mappings,
      },
      process.cwd(),
    );

  beforeAll(() => {
    registerMemoryPlatform(['contacts', 'notes']);
    const source = memoryAccount(SOURCE);
    source.set('contacts', [
      { id: 'c1', name: 'Jansen', email: 'jansen@example.com' },
      { id: 'c2', name: 'Peeters', email: 'peeters@example.com' },
    ]);
    source.set('notes', [
      { id: 'n1', text: 'Called about the renewal', kind: 'call', minutes: 12, about: 'c1' },
      { id: 'n2', text: 'Sent the offer', kind: 'email', about: 'c2' },
      { id: 'n3', text: 'Left a voicemail', kind: 'call', minutes: 1, about: 'c2' },
      { id: 'n4', text: 'About a contact that is gone', kind: 'call', minutes: 5, about: 'c404' },
      { id: 'n5', text: '', kind: 'email', about: 'c1' },
    ]);
  });
  afterAll(() => forgetEntity('notes'));

  it('is audited: categories, orphans and invalid records found from its declaration', async () => {
    const report = await runAudit(plan(), await prepareAudit(plan()));
    expect(report.entities.notes).toMatchObject({ count: 5, categories: { kind: { call: 3, email: 2 } } });
    expect(report.findings.map((f) => `${f.entity} ${f.sourceId} ${f.kind} ${f.field ?? ''}`).sort()).toEqual(
      ['notes n4 orphan contact', 'notes n5 invalid body'],
    );
  });

  it('loads after what it references, resolves the reference, and reconciles; a tampered link fails', async () => {
    const t = await sqliteLedger();
    try {
      const prepared = await prepareMigration(plan());
      expect(prepared.entities).toEqual(['contacts', 'notes']);
      const result = await runMigration(prepared, t.ledger);
      expect(result.entities.notes).toMatchObject({ extracted: 5, created: 3, quarantined: 2 });
      const contacts = memoryAccount(DESTINATION).get('contacts')!;
      const notes = memoryAccount(DESTINATION).get('notes')!;
      const idOf = (sourceId: string) => contacts.find((c) => c.sourceId === sourceId)!.id;
      expect(notes.map((n) => [n.sourceId, n.about])).toEqual([
        ['n1', idOf('c1')],
        ['n2', idOf('c2')],
        ['n3', idOf('c2')],
      ]);

      const clean = await reconcile(prepared, t.ledger);
      expect(clean.differences).toEqual([]);
      expect(clean.verdict).toBe('pass');
      expect(clean.entities.notes).toMatchObject({
        categories: { kind: { source: { call: 2, email: 1 }, destination: { call: 2, email: 1 } } },
        aggregates: { minutes: { source: '13', destination: '13', equal: true } },
      });

      // Behind Switchyard's back: n3 now points at the other contact, and n2 is deleted.
      notes[2].about = idOf('c1');
      memoryAccount(DESTINATION).set('notes', [notes[0], notes[2]]);
      const tampered = await reconcile(prepared, t.ledger);
      expect(tampered.verdict).toBe('fail');
      expect(tampered.differences).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            sourceId: 'n3',
            field: 'contact',
            source: idOf('c2'),
            destination: idOf('c1'),
          }),
          expect.objectContaining({ sourceId: 'n2', field: null, destination: null }),
        ]),
      );
      expect(tampered.entities.notes.categories.kind).toEqual({
        source: { call: 2, email: 1 },
        destination: { call: 2 },
      });
    } finally {
      await t.close();
    }
  });
});
