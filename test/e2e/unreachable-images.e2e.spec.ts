import { demoShopifySeed } from '../../src/demo/demo-store';
import { sqliteLedger } from '../helpers/ledger';
import { connection, migrate, plan, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';
import { shopifyGraphql } from '../helpers/shopify-api';
import { wooList } from '../helpers/woo-api';

type Row = Record<string, any>;
const GONE = 'https://cdn.shopify.com/s/files/demo/gone.txt'; // the CDN has no such image: 404
const NO_HOST = 'http://127.0.0.1:9/closed.jpg'; // nothing listens there: connection refused

/** A shop whose first product names two images a store cannot download, beside one it can. */
function shopWithBadImages() {
  const seed = demoShopifySeed({ customers: 2, products: 3, orders: 0 });
  const product = seed.products[0] as Row;
  const image = (url: string) => ({ alt: 'x', image: { url, altText: 'x' } });
  product.media = {
    nodes: [image('https://cdn.shopify.com/s/files/demo/fine.jpg'), image(GONE), image(NO_HOST)],
  };
  return { seed, product };
}

/**
 * WooCommerce downloads every new image of a product it is sent and refuses the whole product when it cannot
 * (`woocommerce_product_image_upload_error`). The plan chooses: load the product without those images and list
 * them under warnings, or quarantine the product with the reason.
 */
describe('Shopify → WooCommerce with images the store cannot download', () => {
  it.each(['warn', 'quarantine'] as const)('unreachableImages: %s', async (choice) => {
    const { seed, product } = shopWithBadImages();
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const p = plan('images', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), [
        'customers',
        'products',
      ]);
      p.options.unreachableImages = choice;
      const result = await migrate(t.ledger, p);
      const products = await wooList(woo.url, 'products');
      const sourceId = product.id as string;
      const loaded = products.find((p) => p.name === product.title);
      // The other products load either way, with their images.
      expect(products).toHaveLength(choice === 'warn' ? 3 : 2);
      if (choice === 'warn') {
        expect(result.status).toBe('completed');
        expect(loaded!.images.map((i: Row) => i.src)).toEqual([
          expect.stringMatching(/\/wp-content\/uploads\/\d{4}\/\d{2}\/fine\.jpg$/),
        ]);
        const warning = result.warnings.find((w) => w.entity === 'products' && w.sourceId === sourceId);
        expect(warning?.message).toMatch(/^images: loaded without /);
        expect(warning?.message).toContain('gone.txt (Not Found)');
        expect(warning?.message).toContain(
          `${NO_HOST} (cURL error 7: Failed to connect to 127.0.0.1 port 9: Connection refused)`,
        );
      } else {
        expect(loaded).toBeUndefined();
        const problem = result.problems.find((p) => p.entity === 'products' && p.sourceId === sourceId);
        expect(problem?.reason).toMatch(
          /^images: WooCommerce refused it: woocommerce_product_image_upload_error: Error getting remote image .*gone\.txt\. Error: Not Found$/,
        );
      }
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });
});

/**
 * A store downloads an image sent by `src` alone into a new attachment every time. Updates send the images a
 * product holds already by attachment id, so writing a product again adds nothing to the media library; an
 * attachment deleted from the store since is sent by its source URL again.
 */
describe('Shopify → WooCommerce, written again', () => {
  it('reuses the attachments a product holds, and replaces one the store lost', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 2, products: 6, orders: 0 }));
    const woo = await wooSandbox();
    const ledgers = [await sqliteLedger(), await sqliteLedger(), await sqliteLedger()];
    const imagesOf = async () =>
      new Map((await wooList(woo.url, 'products')).map((p) => [p.name as string, p.images as Row[]]));
    try {
      const p = plan('again', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), ['products']);
      expect((await migrate(ledgers[0].ledger, p)).status).toBe('completed');
      const first = await imagesOf();
      const attachments = woo.store.attachments.size;
      expect([...first.values()].flat().length).toBeGreaterThan(0);

      // A lost ledger: every product is matched in the store and updated.
      const again = await migrate(ledgers[1].ledger, p);
      expect(again.entities.products).toMatchObject({ created: 0, failed: 0 });
      expect(again.entities.products.updated).toBeGreaterThan(0);
      expect(await imagesOf()).toEqual(first);
      expect(woo.store.attachments.size).toBe(attachments);

      // Someone deletes one image from the store's media library: the next write uploads it again.
      const [name, images] = [...first].find(([, list]) => list.length > 0)!;
      woo.store.deleteAttachment(images[0].id as number);
      const third = await migrate(ledgers[2].ledger, p);
      expect(third.entities.products).toMatchObject({ created: 0, failed: 0 });
      const now = (await imagesOf()).get(name)!;
      expect(now.map((image) => image.src)).toEqual(images.map((image) => image.src));
      expect(now[0].id).not.toBe(images[0].id);
      expect(now.slice(1).map((image) => image.id)).toEqual(images.slice(1).map((image) => image.id));
      expect(woo.store.attachments.size).toBe(attachments);
    } finally {
      await Promise.all([shopify.close(), woo.close(), ...ledgers.map((t) => t.close())]);
    }
  });
});

describe('WooCommerce → Shopify, written again', () => {
  it("reuses the product's files Shopify holds, instead of downloading copies", async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 2, products: 5, orders: 0 }));
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const ledgers = [await sqliteLedger(), await sqliteLedger()];
    const mediaOf = async () => {
      const data = await shopifyGraphql<{ data: Row }>(
        shopify.url,
        '{ products(first: 50) { nodes { title media(first: 10) { nodes { id status } } } } }',
      );
      return new Map((data.data.products.nodes as Row[]).map((p) => [p.title as string, p.media.nodes]));
    };
    try {
      const p = plan('again', connection(woo, 'woocommerce'), connection(shopify, 'shopify'), ['products']);
      expect((await migrate(ledgers[0].ledger, p)).status).toBe('completed');
      const first = await mediaOf();
      expect([...first.values()].flat().length).toBeGreaterThan(0);
      // A lost ledger: every product is matched in the shop and set again.
      const again = await migrate(ledgers[1].ledger, p);
      expect(again.entities.products).toMatchObject({ created: 0, failed: 0 });
      expect(await mediaOf()).toEqual(first);
    } finally {
      await Promise.all([woo.close(), shopify.close(), ...ledgers.map((t) => t.close())]);
    }
  });
});
