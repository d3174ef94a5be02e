import { demoShopifySeed } from '../../src/demo/demo-store';
import { sqliteLedger } from '../helpers/ledger';
import { connection, migrate, plan, shopifySandbox, wooSandbox } from '../helpers/sandboxes';
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
          expect.stringMatching(/\/s\/files\/demo\/fine\.jpg$/),
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
