import { type LoadItem, type LoadOutcome, type NativeRecord, scalarText } from '../../src/connectors';
import type { SalesforceQueries } from './salesforce.queries';

/**
 * Salesforce users own records. They are matched by email and never created: a user is a licence. An
 * inactive user cannot own records, so a match on one fails with a reason that says what to do.
 */
export class SalesforceOwners {
  private all?: Promise<NativeRecord[]>;

  constructor(private readonly queries: SalesforceQueries) {}

  async match(items: LoadItem[]): Promise<LoadOutcome[]> {
    const byEmail = new Map<string, NativeRecord>();
    for (const user of await this.list()) {
      const email = scalarText(user.Email).toLowerCase();
      // An active user wins over an inactive one holding the same email.
      if (!byEmail.has(email) || user.IsActive) byEmail.set(email, user);
    }
    return items.map((item) => {
      const email = scalarText(item.payload.Email).toLowerCase();
      const user = byEmail.get(email);
      if (user?.IsActive)
        return {
          sourceId: item.sourceId,
          action: 'updated',
          destinationId: scalarText(user.Id),
          written: false,
        };
      return {
        sourceId: item.sourceId,
        action: 'failed',
        error: user
          ? `the Salesforce user with the email ${email} is inactive and cannot own records; activate the user (Setup → Users) and re-run, or leave their records with the connecting user`
          : `no Salesforce user has the email ${email || '(none)'}; add the user in Salesforce (Setup → Users) and re-run, or leave their records with the connecting user`,
      };
    });
  }

  list(): Promise<NativeRecord[]> {
    this.all ??= this.queries
      .readFields('User')
      .then((fields) => this.queries.all(`SELECT ${fields.join(', ')} FROM User ORDER BY Id`));
    this.all.catch(() => (this.all = undefined));
    return this.all;
  }
}
