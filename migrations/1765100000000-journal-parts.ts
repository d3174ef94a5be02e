import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * A journal entry per record write, its children and links (order lines, variants, associations) kept with it as
 * one JSON list instead of a row each: an order of four lines was five rows and five sets of index entries.
 * Entries written before keep their rows of parts; the ledger reads both alike.
 */
export class JournalParts1765100000000 implements MigrationInterface {
  name = 'JournalParts1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'write_journal',
      new TableColumn({ name: 'parts', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('write_journal', 'parts');
  }
}
