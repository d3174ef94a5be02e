import type { Connector } from '../../src/connectors/connector.port';
import { prepareMigration, runMigration, type RunResult } from '../../src/engine/migration.runner';
import type { LedgerRepository } from '../../src/ledger/ledger.repository';
import type { MigrationPlan } from '../../src/plan/migration-plan';

/** A destination that dies right after its first write of an entity: the write landed, the ledger never heard. */
export function dyingAfterFirstWrite(destination: Connector, entity: string): Connector {
  let died = false;
  return new Proxy(destination, {
    get(target, property, receiver) {
      if (property === 'upsert') {
        return async (e: Parameters<Connector['upsert']>[0], items: Parameters<Connector['upsert']>[1]) => {
          const outcomes = await target.upsert(e, items);
          if (e === entity && !died) {
            died = true;
            throw new Error('simulated crash after the destination accepted the batch');
          }
          return outcomes;
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/**
 * Runs a CRM plan in batches of 10 with a destination that dies right after its first batch of deals,
 * checks that batch landed (`landedDeals` counts them through the destination), then resumes the run.
 */
export async function crashMidDealsThenResume(
  plan: MigrationPlan,
  ledger: LedgerRepository,
  landedDeals: () => number,
): Promise<RunResult> {
  const prepared = await prepareMigration({
    ...plan,
    options: {
      ...plan.options,
      batchSize: 10,
      concurrency: 2,
      dryRun: false,
      deltaOverlapMinutes: 5,
      deleteLimitPercent: 10,
    },
  });
  await expect(
    runMigration({ ...prepared, destination: dyingAfterFirstWrite(prepared.destination, 'deals') }, ledger),
  ).rejects.toThrow(/simulated crash/);
  expect(landedDeals()).toBe(10);
  return runMigration(prepared, ledger);
}
