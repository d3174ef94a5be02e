/**
 * A realistic Shopify store for the demo, built from a fixed seed so every run is the same: a few
 * hundred customers, products with variants, orders with several lines, and awkward but valid
 * records (diacritics and emoji, guest and cancelled orders, an order with more lines than one page,
 * a product with two options, zero stock, discounts, shipping and tax).
 */
export interface DemoStoreSize {
  customers: number;
  products: number;
  orders: number;
}

export const DEFAULT_DEMO_SIZE: DemoStoreSize = { customers: 240, products: 60, orders: 320 };

const FIRST = [
  'Anna',
  'Bram',
  'Chloé',
  'Daan',
  'Eva',
  'Finn',
  'Gülşen',
  'Hugo',
  'Iris',
  'Jan',
  'Kees',
  'Lotte',
  'Møller',
  'Noah',
  "O'Brien",
  'Pieter',
  'Zoë',
  'Łukasz',
];
const LAST = [
  'de Vries',
  'Jansen',
  'van den Berg',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'Müller',
  'Dubois',
  'García',
  'Nguyễn',
  'Østergaard',
];
const CITIES: [string, string, string][] = [
  ['Amsterdam', 'NL', '1012 AB'],
  ['Rotterdam', 'NL', '3011 AD'],
  ['Antwerpen', 'BE', '2000'],
  ['Köln', 'DE', '50667'],
  ['Paris', 'FR', '75001'],
  ['Gent', 'BE', '9000'],
];
const ITEMS = [
  'Hoodie',
  'T-shirt',
  'Mug',
  'Poster',
  'Cap',
  'Socks',
  'Tote bag',
  'Notebook',
  'Scarf',
  'Beanie',
];
const COLOURS = ['Black', 'Ocean Blue', 'Sand'];
const SIZES = ['S', 'M', 'L'];

/** Mulberry32: small, fast and deterministic. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (offsetDays: number, rand: () => number) =>
  new Date(Date.UTC(2024, 0, 1) + offsetDays * 86_400_000 + Math.floor(rand() * 86_400_000))
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');

export function demoShopifySeed(size: DemoStoreSize = DEFAULT_DEMO_SIZE, currency = 'EUR') {
  const rand = random(20261124);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
  const money = (amount: number) => amount.toFixed(2);

  const customers = Array.from({ length: size.customers }, (_, i) => {
    const id = 5000 + i;
    const first = i === 7 ? 'Renée 🌷' : pick(FIRST);
    const last = pick(LAST);
    const [city, country, zip] = pick(CITIES);
    const address = {
      firstName: first,
      lastName: last,
      address1: `${pick(['Keizersgracht', 'Hauptstraße', 'Rue de Rivoli', 'Meir'])} ${1 + Math.floor(rand() * 300)}`,
      city,
      zip,
      countryCodeV2: country,
      phone: null,
    };
    const addresses =
      i % 11 === 0
        ? []
        : i % 5 === 0
          ? [address, { ...address, address1: 'Postbus 12', company: 'Acme B.V.' }]
          : [address];
    const createdAt = iso(i, rand);
    return {
      id: `gid://shopify/Customer/${id}`,
      email: `${
        first
          .toLowerCase()
          .normalize('NFD')
          .replace(/[^a-z]/g, '') || 'customer'
      }.${i}@example.com`,
      firstName: first,
      lastName: last,
      phone: i % 3 === 0 ? `+3161${String(1000000 + i).slice(-7)}` : null,
      note: i % 17 === 0 ? 'Prefers delivery after 18:00 — ring twice' : null,
      tags: i % 4 === 0 ? ['vip'] : [],
      addresses,
      defaultAddress: addresses[0] ?? null,
      createdAt,
      updatedAt: createdAt,
    };
  });

  const products = Array.from({ length: size.products }, (_, i) => {
    const id = 7000 + i;
    const item = ITEMS[i % ITEMS.length];
    const title = `${item} ${['Classic', 'Organic', 'Limited', 'Everyday', 'Studio', 'Café'][Math.floor(i / ITEMS.length) % 6]} #${i + 1}`;
    const base = 5 + Math.floor(rand() * 60) + 0.95;
    const kind = i % 6;
    const optionSets =
      kind === 0
        ? []
        : kind === 1
          ? [
              { name: 'Colour', values: COLOURS },
              { name: 'Size', values: SIZES },
            ]
          : [{ name: 'Size', values: SIZES }];
    const combos: Record<string, string>[] =
      optionSets.length === 0
        ? [{}]
        : optionSets.reduce<Record<string, string>[]>(
            (acc, option) =>
              acc.flatMap((combo) => option.values.map((value) => ({ ...combo, [option.name]: value }))),
            [{}],
          );
    const sku = `${item
      .toUpperCase()
      .replace(/[^A-Z]/g, '')
      .slice(0, 4)}-${String(i + 1).padStart(3, '0')}`;
    const createdAt = iso(i, rand);
    return {
      id: `gid://shopify/Product/${id}`,
      title,
      handle: title
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, ''),
      status: i % 15 === 14 ? 'DRAFT' : i % 29 === 28 ? 'ARCHIVED' : 'ACTIVE',
      vendor: 'Switchyard Demo Co.',
      productType: item,
      tags: i % 3 === 0 ? ['new'] : [],
      descriptionHtml: `<p>${title}: made to last.</p>`,
      options: optionSets.length === 0 ? [{ name: 'Title', values: ['Default Title'] }] : optionSets,
      variants: combos.map((combo, v) => ({
        id: `gid://shopify/ProductVariant/${id * 100 + v}`,
        sku:
          optionSets.length === 0
            ? sku
            : `${sku}-${Object.values(combo)
                .map((value) =>
                  value
                    .replace(/[^A-Za-z]/g, '')
                    .slice(0, 3)
                    .toUpperCase(),
                )
                .join('-')}`,
        price: money(base + (combo.Size === 'L' ? 2 : 0)),
        compareAtPrice: i % 7 === 0 ? money(base + 10) : null,
        inventoryQuantity: (i + v) % 13 === 0 ? 0 : Math.floor(rand() * 80),
        barcode: null,
        selectedOptions:
          optionSets.length === 0
            ? [{ name: 'Title', value: 'Default Title' }]
            : Object.entries(combo).map(([name, value]) => ({ name, value })),
        position: v + 1,
      })),
      media:
        i % 2 === 0
          ? [
              {
                id: `gid://shopify/MediaImage/${id}`,
                alt: title,
                image: { url: `https://cdn.shopify.com/s/files/demo/${id}.jpg`, altText: title },
              },
            ]
          : [],
      createdAt,
      updatedAt: createdAt,
    };
  });

  const moneyBag = (amount: number) => ({
    shopMoney: { amount: money(amount), currencyCode: currency },
    presentmentMoney: { amount: money(amount), currencyCode: currency },
  });
  const orders = Array.from({ length: size.orders }, (_, i) => {
    const id = 9000 + i;
    const guest = i % 19 === 0;
    const customer = customers[Math.floor(rand() * customers.length)];
    const lineCount = i === 3 ? 12 : 1 + Math.floor(rand() * 4);
    const lineItems = Array.from({ length: lineCount }, () => {
      const product = products[Math.floor(rand() * products.length)];
      const variant = pick(product.variants);
      const quantity = 1 + Math.floor(rand() * 3);
      return {
        title: product.title,
        sku: variant.sku,
        quantity,
        variant: { id: variant.id },
        originalUnitPriceSet: moneyBag(Number(variant.price)),
      };
    });
    // Whole cents, so the totals add up exactly as the platforms' own would.
    const subtotalCents = lineItems.reduce(
      (sum, line) =>
        sum + Math.round(Number(line.originalUnitPriceSet.shopMoney.amount) * 100) * line.quantity,
      0,
    );
    const shippingCents = i % 4 === 0 ? 0 : 495;
    const discountCents = i % 9 === 0 ? 500 : 0;
    const taxCents = Math.round((subtotalCents - discountCents) * 0.21);
    const [subtotal, shipping, discount, tax] = [subtotalCents, shippingCents, discountCents, taxCents].map(
      (cents) => cents / 100,
    );
    const createdAt = iso(30 + Math.floor(i / 2), rand);
    const cancelled = i % 37 === 36;
    const financial = cancelled ? 'VOIDED' : i % 23 === 22 ? 'REFUNDED' : i % 10 === 9 ? 'PENDING' : 'PAID';
    const address = customer.addresses[0] ?? {
      firstName: customer.firstName,
      lastName: customer.lastName,
      address1: 'Damrak 1',
      city: 'Amsterdam',
      zip: '1012 LG',
      countryCodeV2: 'NL',
      phone: null,
    };
    return {
      id: `gid://shopify/Order/${id}`,
      name: `#${1001 + i}`,
      email: guest ? `guest.${i}@example.org` : customer.email,
      currencyCode: currency,
      customer: guest ? null : { id: customer.id },
      billingAddress: address,
      shippingAddress: address,
      displayFinancialStatus: financial,
      displayFulfillmentStatus: financial === 'PAID' && i % 3 === 0 ? 'FULFILLED' : 'UNFULFILLED',
      cancelledAt: cancelled ? createdAt : null,
      lineItems,
      shippingLines:
        shipping > 0 ? [{ title: 'PostNL', code: 'postnl', originalPriceSet: moneyBag(shipping) }] : [],
      subtotalPriceSet: moneyBag(subtotal),
      totalTaxSet: moneyBag(tax),
      totalShippingPriceSet: moneyBag(shipping),
      totalDiscountsSet: moneyBag(discount),
      totalPriceSet: moneyBag((subtotalCents + shippingCents + taxCents - discountCents) / 100),
      note: i % 25 === 0 ? 'Gift wrap, please 🎁' : null,
      tags: i % 8 === 0 ? ['wholesale'] : [],
      createdAt,
      processedAt: createdAt,
      updatedAt: createdAt,
    };
  });

  return { shop: { name: 'Switchyard Demo Store', currencyCode: currency }, customers, products, orders };
}
