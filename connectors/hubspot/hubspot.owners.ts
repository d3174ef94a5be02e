import type { PublicOwner } from '@hubspot/api-client/lib/codegen/crm/owners/models/PublicOwner';
import {
  type LoadItem,
  type LoadOutcome,
  type NativeRecord,
  type ReadPage,
  scalarText,
} from '../../src/connectors';
import type { HubSpotClient } from './hubspot.client';
import { HUBSPOT_FACTS } from './hubspot.facts';

/**
 * HubSpot owners are the portal's users. They are matched by email and never created: inviting a user is
 * a licence decision, so an owner with no match stays unmatched, with a reason that says what to do.
 */
export class HubSpotOwners {
  private all?: Promise<PublicOwner[]>;

  constructor(private readonly client: HubSpotClient) {}

  async *read(cursor: string | null, pageSize: number): AsyncIterable<ReadPage> {
    let after = cursor ?? undefined;
    do {
      const page = await this.page(after, Math.min(pageSize, HUBSPOT_FACTS.maxPageSize));
      after = page.paging?.next?.after;
      yield { records: page.results.map(ownerRecord), nextCursor: after ?? null };
    } while (after);
  }

  /** Matches by email (case-insensitive); writes nothing, so a dry run gives the same answer. */
  async match(items: LoadItem[]): Promise<LoadOutcome[]> {
    const byEmail = new Map((await this.list()).map((owner) => [owner.email?.toLowerCase(), owner.id]));
    return items.map((item) => {
      const email = scalarText(item.payload.email).toLowerCase();
      const id = byEmail.get(email);
      return id
        ? { sourceId: item.sourceId, action: 'updated', destinationId: id, written: false }
        : {
            sourceId: item.sourceId,
            action: 'failed',
            error: `no HubSpot user has the email ${email || '(none)'}; add the user in HubSpot (Settings → Users & Teams) and re-run, or leave their records without an owner`,
          };
    });
  }

  async fetch(ids: string[]): Promise<NativeRecord[]> {
    const wanted = new Set(ids);
    return (await this.list()).filter((owner) => wanted.has(owner.id)).map(ownerRecord);
  }

  async count(): Promise<number> {
    return (await this.list()).length;
  }

  private list(): Promise<PublicOwner[]> {
    this.all ??= (async () => {
      const owners: PublicOwner[] = [];
      let after: string | undefined;
      do {
        const page = await this.page(after, HUBSPOT_FACTS.maxPageSize);
        owners.push(...page.results);
        after = page.paging?.next?.after;
      } while (after);
      return owners;
    })();
    this.all.catch(() => (this.all = undefined));
    return this.all;
  }

  private page(after: string | undefined, limit: number) {
    return this.client.call('list owners', () =>
      this.client.sdk.crm.owners.ownersApi.getPageWithHttpInfo(undefined, after, limit, false),
    );
  }
}

function ownerRecord(owner: PublicOwner): NativeRecord {
  return {
    id: owner.id,
    email: owner.email ?? null,
    firstName: owner.firstName ?? null,
    lastName: owner.lastName ?? null,
    userId: owner.userId ?? null,
    archived: owner.archived,
  };
}
