import { DATE_FILTERED, EMAIL_FILTER, IMAGE_UPLOAD, ORDERBY, UNKNOWN_ID } from './woocommerce.contract';
import { createServer } from 'node:http';
import { startWooSandbox } from './woocommerce.sandbox';
import type { Resource } from './woocommerce.store';

/**
 * The refusals woocommerce.contract.ts states, each probed through the sandbox's REST API and answered as the
 * store's controllers answer it. Counts what it probed; the first answer that differs fails the suite.
 */
describe('WooCommerce sandbox against the store’s own contract', () => {
  let sandbox: Awaited<ReturnType<typeof startWooSandbox>>;
  let probed = 0;
  const auth = 'consumer_key=ck_sandbox&consumer_secret=cs_sandbox';
  const call = async (method: string, path: string, body?: unknown) => {
    probed++;
    const response = await fetch(
      `${sandbox.url}/wp-json/wc/v3/${path}${path.includes('?') ? '&' : '?'}${auth}`,
      {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        ...(body ? { body: JSON.stringify(body) } : {}),
      },
    );
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const ids = { customers: 0, products: 0, orders: 0, variations: 0 };
  const pathOf = (resource: Resource) =>
    resource === 'variations' ? `products/${ids.products}/variations` : resource;

  beforeAll(async () => {
    sandbox = await startWooSandbox({ port: 0, seed: { currency: 'EUR' } });
    ids.customers = (
      await call('POST', 'customers', { email: 'anna@example.com', first_name: 'Anna' })
    ).body.id;
    ids.products = (
      await call('POST', 'products', {
        name: 'Shirt',
        type: 'variable',
        attributes: [{ name: 'Size', options: ['S'], variation: true }],
      })
    ).body.id;
    ids.variations = (
      await call('POST', `products/${ids.products}/variations`, {
        regular_price: '10.00',
        attributes: [{ name: 'Size', option: 'S' }],
      })
    ).body.id;
    ids.orders = (await call('POST', 'orders', { status: 'pending' })).body.id;
  });
  afterAll(async () => {
    await sandbox.close();
    process.stdout.write(`WooCommerce contract: ${probed} requests probed\n`);
  });

  const resources: Resource[] = ['customers', 'products', 'orders', 'variations'];

  it.each(resources)(
    'lists %s ordered only by what the controller declares; anything else is a 400',
    async (resource) => {
      for (const orderby of ORDERBY[resource].value)
        expect((await call('GET', `${pathOf(resource)}?orderby=${orderby}`)).status).toBe(200);
      const banana = await call('GET', `${pathOf(resource)}?orderby=banana&order=sideways`);
      expect(banana.status).toBe(400);
      expect(banana.body).toMatchObject({
        code: 'rest_invalid_param',
        message: 'Invalid parameter(s): orderby, order',
        data: {
          status: 400,
          params: {
            orderby: `orderby is not one of ${ORDERBY[resource].value.join(', ')}.`,
            order: 'order is not one of asc, desc.',
          },
        },
      });
    },
  );

  it.each(resources)(
    'answers an unknown %s id: 404 to a read, 400 to an update, its own code either way',
    async (resource) => {
      const { code, read, update, delete: removal } = UNKNOWN_ID.value[resource];
      const refusal = (answer: { status: number; message: string }) => ({
        status: answer.status,
        body: { code, message: answer.message, data: { status: answer.status } },
      });
      expect(await call('GET', `${pathOf(resource)}/999999`)).toEqual(refusal(read));
      expect(await call('PUT', `${pathOf(resource)}/999999`, { status: 'pending' })).toEqual(refusal(update));
      expect(await call('DELETE', `${pathOf(resource)}/999999?force=true`)).toEqual(refusal(removal));
      // In a batch, the same refusal per item, inside HTTP 200.
      const batch = await call('POST', `${pathOf(resource)}/batch`, {
        update: [{ id: 999999 }],
        delete: [999999],
      });
      expect(batch.status).toBe(200);
      expect([batch.body.update[0].error, batch.body.delete[0].error]).toEqual([
        refusal(update).body,
        refusal(removal).body,
      ]);
    },
  );

  it('refuses a customers list filtered by a malformed email instead of answering an empty list', async () => {
    const bad = await call('GET', 'customers?email=not-an-email');
    expect(bad.status).toBe(400);
    expect(bad.body.data.params).toEqual({ email: EMAIL_FILTER.value });
    expect((await call('GET', 'customers?email=anna@example.com')).body).toHaveLength(1);
  });

  it('ignores modified_after on customers, which declare no such parameter, and filters the lists that do', async () => {
    const future = '2999-01-01T00:00:00';
    expect(DATE_FILTERED.value).not.toContain('customers');
    expect((await call('GET', `customers?modified_after=${future}`)).body).toHaveLength(1);
    for (const resource of DATE_FILTERED.value)
      expect((await call('GET', `${pathOf(resource)}?modified_after=${future}`)).body).toHaveLength(0);
  });

  it('drops what a customer write cannot set: read-only and unknown fields are neither stored nor echoed', async () => {
    const created = await call('POST', 'customers', {
      email: 'bram@example.com',
      role: 'administrator',
      date_created: '2001-01-01T00:00:00',
      favourite_colour: 'green',
      password: 'secret',
      billing: { city: 'Utrecht', planet: 'Earth' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'customer', billing: { city: 'Utrecht' } });
    expect(created.body.date_created).not.toBe('2001-01-01T00:00:00');
    expect(created.body).not.toHaveProperty('favourite_colour');
    expect(created.body).not.toHaveProperty('password');
    expect(created.body.billing).not.toHaveProperty('planet');
    const updated = await call('PUT', `customers/${created.body.id}`, {
      role: 'shop_manager',
      first_name: 'Bram',
    });
    expect(updated.body).toMatchObject({ role: 'customer', first_name: 'Bram' });
    const renamed = await call('PUT', `customers/${created.body.id}`, { username: 'someone-else' });
    expect(renamed).toMatchObject({
      status: 400,
      body: { code: 'woocommerce_rest_customer_invalid_argument', message: "Username isn't editable." },
    });
  });

  it('drops what a product, variation or order write cannot set', async () => {
    const product = await call('POST', 'products', {
      name: 'Mug',
      regular_price: '9.50',
      price: '1.00',
      permalink: 'https://elsewhere.example/mug',
      total_sales: 99,
      colour: 'blue',
    });
    expect(product.status).toBe(201);
    expect(product.body).toMatchObject({ price: '9.50', total_sales: 0 });
    expect(product.body.permalink).not.toBe('https://elsewhere.example/mug');
    expect(product.body).not.toHaveProperty('colour');
    const variation = await call('POST', `products/${ids.products}/variations`, {
      regular_price: '5.00',
      price: '1.00',
      name: 'A variation has no name of its own',
    });
    expect(variation.status).toBe(201);
    expect(variation.body).toMatchObject({ price: '5.00' });
    expect(variation.body).not.toHaveProperty('name');
    const order = await call('POST', 'orders', {
      line_items: [{ product_id: product.body.id, quantity: 2 }],
      number: 'A-1',
      order_key: 'wc_order_mine',
      total: '1.00',
      date_created: '2001-01-01T00:00:00',
      date_paid: '2001-01-01T00:00:00',
      payment_note: 'cash',
    });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ number: String(order.body.id), total: '19.00', date_paid: null });
    expect(order.body.order_key).not.toBe('wc_order_mine');
    expect(order.body.date_created).not.toBe('2001-01-01T00:00:00');
    expect(order.body).not.toHaveProperty('payment_note');
    const updated = await call('PUT', `orders/${order.body.id}`, {
      number: 'A-2',
      customer_note: 'Ring twice',
    });
    expect(updated.body).toMatchObject({ number: String(order.body.id), customer_note: 'Ring twice' });
  });

  it('keeps an image given by attachment id, and refuses an id its media library lacks', async () => {
    const seeded = await call('POST', 'products', { name: 'Cap' });
    const reused = await call('PUT', `products/${seeded.body.id}`, { images: [] });
    expect(reused.status).toBe(200);
    const unknown = await call('PUT', `products/${seeded.body.id}`, { images: [{ id: 999999 }] });
    expect(unknown).toMatchObject({
      status: 400,
      body: { code: IMAGE_UPLOAD.invalidId.code, message: IMAGE_UPLOAD.invalidId.message(999999) },
    });
    const attachment = sandbox.store.attachments.size;
    sandbox.store.attachments.set(424242, { src: 'https://media.example/cap.png', name: 'cap' });
    const byId = await call('PUT', `products/${seeded.body.id}`, {
      images: [{ id: 424242, src: 'ignored' }],
    });
    expect(byId.body.images).toMatchObject([{ id: 424242, src: 'https://media.example/cap.png' }]);
    expect(sandbox.store.attachments.size).toBe(attachment + 1);
  });

  it('downloads every new product image and refuses the whole product when one cannot be had', async () => {
    // A local image host: one image, a 404 for anything else.
    const host = createServer((req, res) =>
      ['/shirt.png', '/notes.txt'].includes(req.url ?? '')
        ? res.writeHead(200).end('file')
        : res.writeHead(404).end(),
    );
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(host.address() as { port: number }).port}`;
    try {
      const product = (images: unknown[]) => ({ name: 'Shirt', type: 'simple', images });
      const fine = await call('POST', 'products', product([{ src: `${origin}/shirt.png` }]));
      expect(fine.status).toBe(201);
      const refusal = (message: string) => ({ code: IMAGE_UPLOAD.code, message, data: { status: 400 } });
      const gone = `${origin}/gone.png`;
      expect(
        await call('POST', 'products', product([{ src: `${origin}/shirt.png` }, { src: gone }])),
      ).toEqual({
        status: 400,
        body: refusal(`Error getting remote image ${gone}. Error: Not Found`),
      });
      expect(
        await call('PUT', `products/${fine.body.id}`, product([{ src: `${origin}/shirt.txt` }])),
      ).toEqual({
        status: 400,
        body: refusal(`Error getting remote image ${origin}/shirt.txt. Error: Not Found`),
      });
      expect(await call('POST', 'products', product([{ src: `${origin}/notes.txt` }]))).toEqual({
        status: 400,
        body: refusal(IMAGE_UPLOAD.notAnImage),
      });
      // In a batch, the refusal is that item's own; the others are written.
      const batch = await call('POST', 'products/batch', {
        create: [product([{ src: gone }]), { ...product([{ src: `${origin}/shirt.png` }]), name: 'Sock' }],
      });
      expect(batch.body.create[0]).toEqual({
        id: 0,
        error: refusal(`Error getting remote image ${gone}. Error: Not Found`),
      });
      expect(batch.body.create[1].name).toBe('Sock');
      // An image the store holds already (by attachment id) is not downloaded again.
      const kept = await call('PUT', `products/${fine.body.id}`, {
        images: [{ id: fine.body.images[0].id, src: gone }],
      });
      expect(kept.status).toBe(200);
    } finally {
      await new Promise((resolve) => host.close(resolve));
    }
  });
});
