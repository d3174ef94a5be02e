import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** Secrets a platform rotates (Exact Online's refresh token), encrypted, one row per app and account. */
export class PlatformTokens1765000000000 implements MigrationInterface {
  name = 'PlatformTokens1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'platform_token',
        columns: [
          { name: 'key', type: 'varchar', length: '200', isPrimary: true },
          { name: 'value', type: 'text' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('platform_token');
  }
}
