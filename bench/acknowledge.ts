import type { LoadItem, LoadOutcome } from '../src/connectors';
import { platformModule } from '../src/connectors/connector.registry';

/**
 * The network taken out of the destination: every connector made for `platform` answers its writes itself,
 * as a platform that saved everything at once would (a new id for each created record), so the hub's own
 * cost per record is all that is left to measure. Its reads (the connection check) still reach the sandbox.
 */
export function acknowledgeWrites(platform: string): void {
  const module = platformModule(platform);
  const create = module.createConnector.bind(module);
  let next = 1;
  module.createConnector = (config, options) => {
    const connector = create(config, options);
    // eslint-disable-next-line @typescript-eslint/require-await -- a platform that answers at once
    connector.upsert = async (entity, items: LoadItem[]): Promise<LoadOutcome[]> =>
      items.map((item) => ({
        sourceId: item.sourceId,
        action: item.destinationId ? 'updated' : 'created',
        destinationId: item.destinationId ?? String(next++),
        // A product's variants by SKU, as a destination reports them, so order lines can point at them.
        ...(entity === 'products' ? { refs: { variants: variantIds(item, () => String(next++)) } } : {}),
      }));
    return connector;
  };
}

function variantIds(item: LoadItem, newId: () => string): Record<string, string> {
  const skus = [item.payload, ...Object.values(item.children ?? {}).flat()]
    .map((record) => record.sku)
    .filter((sku): sku is string => typeof sku === 'string' && sku !== '');
  return Object.fromEntries(skus.map((sku) => [sku, newId()]));
}
