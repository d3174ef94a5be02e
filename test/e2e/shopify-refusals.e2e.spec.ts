import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { sqliteLedger } from '../helpers/ledger';
import { connection, migrate, plan, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';
import { shopifyGraphql } from '../helpers/shopify-api';

type Row = Record<string, any>;
const wooSeed = () =>
  JSON.parse(readFileSync(join(__dirname, '../../examples/woocommerce-seed.json'), 'utf8')) as Record<
    string,
    Row[]
  >;

/** Customers, orders and products' media as Shopify's own API holds them after the run. */
async function shopifyState(url: string) {
  const data = await shopifyGraphql<{ data: Row }>(
    url,
    `{ customers(first: 100) { nodes { email phone note addresses { phone } } }
       orders(first: 100) { nodes { sourceIdentifier note billingAddress { phone } } } }`,
  );
  const media = await shopifyGraphql<{ data: Row }>(
    url,
    '{ products(first: 50) { nodes { title media(first: 5) { nodes { status ... on MediaImage { image { url } } } } } } }',
  );
  return {
    customers: data.data.customers.nodes as Row[],
    orders: data.data.orders.nodes as Row[],
    products: media.data.products.nodes as Row[],
  };
}

const MISSING = 'https://store.example/wp-content/uploads/2024/01/missing.jpg';
const NO_HOST = 'http://127.0.0.1:9/closed.jpg';

/**
 * The store of `seed` with its first pictured product naming two images Shopify cannot download beside its
 * own: one whose file was deleted from the store's media library (as happens; the product still names it),
 * and one on no host.
 */
async function wooWithUnreachableImages(seed: Record<string, Row[]>) {
  const pictured = seed.products.find((p) => (p.images as Row[]).length > 0)!;
  pictured.images = [...(pictured.images as Row[]).slice(0, 1), { src: MISSING }, { src: NO_HOST }];
  const woo = await wooSandbox(seed);
  for (const [id, attachment] of woo.store.attachments)
    if (attachment.src.endsWith('/missing.jpg')) woo.store.deleteAttachment(id);
  return { woo, pictured };
}

/**
 * A WooCommerce store holding what Shopify refuses: phones typed by hand, a name longer than Shopify keeps, an
 * order with more lines than one input takes. Each such record is loaded as Shopify takes it, with a warning
 * that says where the rest went, or quarantined with a reason that names the field; nothing else changes.
 */
describe('WooCommerce → Shopify with what Shopify refuses', () => {
  it('loads hand-typed phones as E.164 or keeps them in the note, and quarantines what cannot load', async () => {
    const seed = wooSeed();
    const customers = seed.customers;
    const phone = (index: number, text: string) => {
      customers[index].billing = { ...customers[index].billing, phone: text };
    };
    phone(3, '06-1234 5678 (mobiel)'); // a Dutch mobile, the address in NL: read there
    phone(1, 'bel na 17:00'); // no number at all
    phone(0, '0612345679'); // a local number, and no address with a country to read it in
    phone(4, '+31 6 12345678'); // customer 3's number again: a shop keeps a phone to one customer
    customers[5].first_name = 'A'.repeat(300);
    const order = seed.orders.find((o) => o.customer_id === 0 && o.line_items.length > 0)!;
    order.billing = { ...order.billing, phone: '020 - 123 45 67', country: 'NL' };
    const crowded = seed.orders.find((o) => o !== order && o.line_items.length > 0)!;
    crowded.line_items = Array.from({ length: 251 }, (_, i) => ({
      ...crowded.line_items[0],
      id: 90_000 + i,
    }));

    const { woo, pictured } = await wooWithUnreachableImages(seed);
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const t = await sqliteLedger();
    try {
      const result = await migrate(
        t.ledger,
        plan('refusals', connection(woo, 'woocommerce'), connection(shopify, 'shopify')),
      );
      const { customers: loaded, orders, products } = await shopifyState(shopify.url);
      const byEmail = (index: number) => loaded.find((c) => c.email === customers[index].email);

      // Customers 3 and 4 hold one number: whichever loaded first keeps it, the other has it in its note.
      const [holder, second] = [3, 4].sort((a) => (byEmail(a)!.phone ? -1 : 1));
      expect(byEmail(holder)).toMatchObject({ phone: '+31612345678', note: null });
      expect(byEmail(3)!.addresses[0].phone).toBe('+31612345678');
      expect(byEmail(second)!.phone).toBeNull();
      expect(byEmail(second)!.note).toContain('Phone: +31612345678');
      expect(byEmail(1)!.phone).toBeNull();
      expect(byEmail(1)!.note).toContain('Phone: bel na 17:00');
      expect(byEmail(0)!.phone).toBeNull();
      expect(byEmail(0)!.note).toContain('Phone: 0612345679');
      expect(byEmail(5)).toBeUndefined();
      expect(orders.find((o) => o.sourceIdentifier === String(order.id))!.billingAddress.phone).toBe(
        '+31201234567',
      );
      expect(orders.find((o) => o.sourceIdentifier === String(crowded.id))).toBeUndefined();

      const warned = Object.fromEntries(result.warnings.map((w) => [w.sourceId, w.message]));
      expect(warned[String(customers[1].id)]).toMatch(
        /^phone: "bel na 17:00" is not a phone number Shopify accepts/,
      );
      expect(warned[String(customers[0].id)]).toMatch(/^phone: "0612345679" .*no country to read it in/);
      expect(warned[String(customers[second].id)]).toMatch(
        /^phone: \+31612345678 is another customer's in Shopify/,
      );
      expect(warned[String(customers[holder].id)]).toBeUndefined();
      // The product is loaded with the image Shopify could fetch; the other two are named in its warning.
      const media = products.find((p) => p.title === pictured.name)!.media.nodes as Row[];
      expect(media).toEqual([
        { status: 'READY', image: { url: expect.stringMatching(/\/files\/7000\.jpg\?v=\d+$/) } },
      ]);
      expect(warned[String(pictured.id)]).toMatch(/^images: loaded without /);
      expect(warned[String(pictured.id)]).toMatch(
        /\/wp-content\/uploads\/2024\/01\/missing\.jpg \(IMAGE_DOWNLOAD_FAILURE: .* answered 404\)/,
      );
      expect(warned[String(pictured.id)]).toContain(`${NO_HOST} (IMAGE_DOWNLOAD_FAILURE`);

      const quarantined = Object.fromEntries(
        result.problems.map((p) => [`${p.entity}/${p.sourceId}`, p.reason]),
      );
      expect(quarantined[`customers/${customers[5].id}`]).toMatch(
        /firstName is 300 characters; shopify takes at most 255/,
      );
      expect(quarantined[`orders/${crowded.id}`]).toMatch(
        /lineItems holds 251 items; shopify takes at most 250/,
      );
      // Everything else loaded: every other customer and order is in the shop once.
      expect(loaded).toHaveLength(customers.length - 1);
      const ordersHeldBack = Object.keys(quarantined).filter((key) => key.startsWith('orders/')).length;
      expect(orders).toHaveLength(seed.orders.length - ordersHeldBack);
    } finally {
      await Promise.all([woo.close(), shopify.close(), t.close()]);
    }
  });

  it('with unreachableImages: quarantine, holds back a product whose images Shopify cannot fetch', async () => {
    const seed = wooSeed();
    const { woo, pictured } = await wooWithUnreachableImages(seed);
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const t = await sqliteLedger();
    try {
      const p = plan('images', connection(woo, 'woocommerce'), connection(shopify, 'shopify'), ['products']);
      p.options.unreachableImages = 'quarantine';
      const result = await migrate(t.ledger, p);
      const { products } = await shopifyState(shopify.url);
      expect(products.map((product) => product.title)).not.toContain(pictured.name);
      expect(products).toHaveLength(seed.products.length - 1);
      const problem = result.problems.find((q) => q.sourceId === String(pictured.id));
      expect(problem?.reason).toMatch(
        /^images: Shopify could not fetch .*missing\.jpg \(IMAGE_DOWNLOAD_FAILURE/,
      );
      // Every other product's images are all READY in Shopify.
      expect(
        products.flatMap((product) => product.media.nodes as Row[]).every((m) => m.status === 'READY'),
      ).toBe(true);
    } finally {
      await Promise.all([woo.close(), shopify.close(), t.close()]);
    }
  });

  it('with overLongText: truncate, loads an over-long name cut to what Shopify takes, and says so', async () => {
    const seed = wooSeed();
    const long = seed.customers[5];
    long.first_name = 'A'.repeat(300);
    const woo = await wooSandbox(seed);
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const t = await sqliteLedger();
    try {
      const p = plan('cut', connection(woo, 'woocommerce'), connection(shopify, 'shopify'), ['customers']);
      p.options.overLongText = 'truncate';
      const result = await migrate(t.ledger, p);
      expect(result.status).toBe('completed');
      const loaded = await shopifyGraphql<{ data: Row }>(
        shopify.url,
        `{ customers(first: 1, query: "email:${String(long.email)}") { nodes { firstName } } }`,
      );
      expect(loaded.data.customers.nodes).toEqual([{ firstName: 'A'.repeat(255) }]);
      const warning = result.warnings.find((w) => w.sourceId === String(long.id));
      expect(warning?.message).toBe('firstName cut from 300 to 255 characters (shopify takes no more)');
    } finally {
      await Promise.all([woo.close(), shopify.close(), t.close()]);
    }
  });

  // Shopify's tag search matches words: a lookup of one source tag also finds a tag that merely holds its words.
  it("takes no shop customer whose tag only holds a source tag's words", async () => {
    const seed = wooSeed();
    const first = seed.customers[0];
    const merchant = {
      id: 'gid://shopify/Customer/9001',
      email: 'merchant@example.org',
      firstName: 'Merchant',
      tags: [`switchyard-source-${String(first.id)}-old`],
    };
    const woo = await wooSandbox(seed);
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' }, customers: [merchant] });
    const t = await sqliteLedger();
    try {
      const found = await shopifyGraphql<{ data: Row }>(
        shopify.url,
        `{ customers(first: 5, query: "tag:switchyard-source-${String(first.id)}") { nodes { email } } }`,
      );
      expect(found.data.customers.nodes).toEqual([{ email: merchant.email }]);
      const p = plan('words', connection(woo, 'woocommerce'), connection(shopify, 'shopify'), ['customers']);
      expect((await migrate(t.ledger, p)).status).toBe('completed');
      const { customers } = await shopifyState(shopify.url);
      expect(customers).toHaveLength(seed.customers.length + 1);
      expect(customers.filter((c) => c.email === first.email)).toHaveLength(1);
      expect(customers.find((c) => c.email === merchant.email)).toBeDefined();
    } finally {
      await Promise.all([woo.close(), shopify.close(), t.close()]);
    }
  });

  // By 2026 Shopify has retired 2025-01: a shop answers a 2025-01 request as its oldest supported version.
  it('says before a run that the shop answered with a later Admin API version', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 1, products: 1, orders: 0 }));
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } }, { oldestVersion: '2026-01' });
    try {
      const prepared = await prepareMigration(
        plan('retired', connection(woo, 'woocommerce'), connection(shopify, 'shopify')),
      );
      expect(prepared.destinationInfo.notices).toEqual([
        expect.stringMatching(
          /^the shop answered with Admin API 2026-01, not 2025-01 .*dry-run and reconcile/,
        ),
      ]);
      const current = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
      try {
        const again = await prepareMigration(
          plan('current', connection(woo, 'woocommerce'), connection(current, 'shopify')),
        );
        expect(again.destinationInfo.notices ?? []).toEqual([]);
      } finally {
        await current.close();
      }
    } finally {
      await Promise.all([woo.close(), shopify.close()]);
    }
  });

  // Development and trial shops create at most 5 orders a minute; the sixth waits its turn, no 429 is met.
  it('paces orders into a development shop under its 5 a minute', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 2, products: 1, orders: 6 }));
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } }, { storePlan: 'development' });
    const t = await sqliteLedger();
    try {
      const prepared = await prepareMigration(
        plan('development', connection(woo, 'woocommerce'), connection(shopify, 'shopify')),
      );
      expect(prepared.destinationInfo.notices).toEqual([
        expect.stringMatching(/^this is a Developer Preview shop: Shopify creates at most 5 orders a minute/),
      ]);
      const started = Date.now();
      const result = await runMigration(prepared, t.ledger);
      expect(result.status).toBe('completed');
      expect(result.entities.orders).toMatchObject({ created: 6, failed: 0 });
      expect(shopify.store.orders.size).toBe(6);
      expect(shopify.counters().throttled).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(60_000);
    } finally {
      await Promise.all([woo.close(), shopify.close(), t.close()]);
    }
  }, 120_000);
});
