import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** API tokens stored as hashes with a role, and the audit log of who did what, when and from where. */
export class AccessControl1764400000000 implements MigrationInterface {
  name = 'AccessControl1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'api_token',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'created_by', type: 'varchar', length: '100' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_event',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'at', type: 'varchar', length: '32' },
          { name: 'actor', type: 'varchar', length: '100' },
          { name: 'role', type: 'varchar', length: '16', isNullable: true },
          { name: 'method', type: 'varchar', length: '8' },
          { name: 'path', type: 'varchar', length: '400' },
          { name: 'status', type: 'integer' },
          { name: 'ip', type: 'varchar', length: '64' },
        ],
      }),
    );
    await queryRunner.createIndex('audit_event', new TableIndex({ columnNames: ['at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_event');
    await queryRunner.dropTable('api_token');
  }
}
