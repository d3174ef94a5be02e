import { WOO_FACTS } from '../connectors/woocommerce/woocommerce.facts';

/** What a destination holds after a run, read through its own REST API: records, and records beyond one per source. */
export interface DestinationCheck {
  records: number;
  duplicates: number;
}

/**
 * Every customer, product and order of a WooCommerce store, page by page through wc/v3, grouped by the source
 * id Switchyard writes on each (`_switchyard_source_id`): a source id held twice is a duplicate.
 */
export async function wooDestinationCheck(url: string, entities: string[]): Promise<DestinationCheck> {
  const keys = `consumer_key=${WOO_FACTS.sandboxConsumerKey}&consumer_secret=${WOO_FACTS.sandboxConsumerSecret}`;
  let records = 0;
  let duplicates = 0;
  for (const entity of entities) {
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      const response = await fetch(`${url}/wp-json/wc/v3/${entity}?per_page=100&page=${page}&${keys}`);
      // With limits on the host allows 50 requests a second, this check's included: wait as it says, then again.
      if (response.status === 429) {
        const seconds = Number(response.headers.get('retry-after') ?? 1);
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
        page--;
        continue;
      }
      if (!response.ok) throw new Error(`${entity} page ${page}: HTTP ${response.status}`);
      for (const record of (await response.json()) as { meta_data?: { key: string; value: unknown }[] }[]) {
        records++;
        const source = record.meta_data?.find((meta) => meta.key === WOO_FACTS.sourceIdMetaKey)?.value;
        if (source === undefined) continue;
        const key = JSON.stringify(source);
        if (seen.has(key)) duplicates++;
        else seen.add(key);
      }
      if (page >= Number(response.headers.get('x-wp-totalpages') ?? 1)) break;
    }
  }
  return { records, duplicates };
}
