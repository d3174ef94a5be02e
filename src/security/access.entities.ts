import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What a token may do: a viewer reads, an operator also runs migrations, an admin also manages access. */
export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: Role[] = ['viewer', 'operator', 'admin'];

/** An API token: only its SHA-256 is stored; the token itself is shown once, when it is made. */
@Entity('api_token')
export class ApiTokenRow {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 100 }) name!: string;
  @Column('varchar', { length: 16 }) role!: Role;
  @Column('varchar', { length: 64, name: 'token_hash', unique: true }) tokenHash!: string;
  @Column('varchar', { length: 32, name: 'created_at' }) createdAt!: string;
  @Column('varchar', { length: 100, name: 'created_by' }) createdBy!: string;
}

/** One action on the API: who (the token's name), what, when, from where, and how it ended. */
@Entity('audit_event')
@Index(['at'])
export class AuditEventRow {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 32 }) at!: string;
  @Column('varchar', { length: 100 }) actor!: string;
  @Column('varchar', { length: 16, nullable: true }) role!: Role | null;
  @Column('varchar', { length: 8 }) method!: string;
  @Column('varchar', { length: 400 }) path!: string;
  @Column('integer') status!: number;
  @Column('varchar', { length: 64 }) ip!: string;
}
