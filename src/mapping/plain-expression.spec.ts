import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonata from 'jsonata';
import { parse } from 'yaml';
import { mappingsDir } from './mapping.loader';
import { MAPPING_FUNCTIONS } from './jsonata-functions';
import { NEEDS_JSONATA, plainExpression } from './plain-expression';

/** Every `expr:` of every shipped mapping file. */
function shippedExpressions(): string[] {
  const found = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === 'expr' && typeof value === 'string') found.add(value);
        else walk(value);
      }
  };
  for (const platform of readdirSync(mappingsDir()))
    for (const file of readdirSync(join(mappingsDir(), platform)))
      walk(parse(readFileSync(join(mappingsDir(), platform, file), 'utf8')));
  return [...found];
}

/** The values a field may hold in the wild: what the plain form must answer as JSONata does, or hand over. */
const SAMPLES: unknown[] = [
  'text',
  '',
  '2024-03-01 10:00:00',
  '12.50',
  42,
  1.5,
  0,
  true,
  null,
  undefined,
  ['a', 'b'],
  ['only'],
  [],
  { amount: '1.00', currency: 'EUR' },
  'gid://shopify/Customer/12',
  // Lists of records, as `lines.{ … }` maps them.
  [
    { amount: '1.00', currency: 'EUR', title: 'Mug' },
    { amount: '2.50', title: '' },
  ],
  [{}],
  {},
];

function evaluate(expr: string, input: unknown, context: Record<string, unknown>) {
  const expression = jsonata(expr);
  for (const [name, { fn, signature }] of Object.entries(MAPPING_FUNCTIONS))
    expression.registerFunction(name, fn, signature);
  // As the mapping compiler binds them for a top-level field: `$root` is the record itself.
  return expression.evaluate(input, { ctx: context, root: input }).then(
    (value: unknown) => ({ value: Array.isArray(value) ? Array.from(value) : value }),
    (error: Error) => ({ error: error.message }),
  );
}

/** An input where every name the expression reads holds `value` (nested paths built out). */
function inputHolding(expr: string, value: unknown, other: unknown): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const path of expr.match(/(?<![$\w.'])[a-z_][\w]*(\.[a-z_][\w]*)*/gi) ?? []) {
    const keys = path.split('.');
    let node = input;
    keys.forEach((key, i) => {
      if (i === keys.length - 1) node[key] = key === 'currency' || key === 'currencyCode' ? other : value;
      else
        node = (node[key] = typeof node[key] === 'object' && node[key] ? node[key] : {}) as Record<
          string,
          unknown
        >;
    });
  }
  return input;
}

/** Whether `expr` compiles to a plain function answering as JSONata does (false: it handed this input over). */
async function answersAsJsonata(expr: string, input: unknown): Promise<boolean> {
  const fn = plainExpression(jsonata(expr).ast())!;
  expect({ expr, fn: typeof fn }).toEqual({ expr, fn: 'function' });
  let answer: { value?: unknown; error?: string };
  try {
    answer = { value: fn(input, { currency: 'EUR' }) };
  } catch (error) {
    answer = { error: (error as Error).message };
  }
  if (answer.value === NEEDS_JSONATA) return false;
  const expected = await evaluate(expr, input, { currency: 'EUR' });
  if ('error' in expected)
    expect({ expr, input, answer }).toEqual({ expr, input, answer: { error: expect.any(String) } });
  else expect({ expr, input, answer }).toEqual({ expr, input, answer: expected });
  return true;
}

describe('plain expressions', () => {
  const expressions = shippedExpressions();
  const plain = expressions.filter((expr) => plainExpression(jsonata(expr).ast() as never) !== undefined);

  it('cover the shipped mappings’ common shapes and leave the rest to JSONata', () => {
    expect(expressions.length).toBeGreaterThan(100);
    expect(plain).toEqual(
      expect.arrayContaining(['$toUtc(createdAt)', '$string(id)', '$nullIfEmpty(billing.phone)']),
    );
    expect(plain).toContain("[tags[$not($contains($, 'switchyard-source-'))]]");
    // $map of a lambda written in place is plain; a lambda held in a variable, and functions that answer
    // lists, stay with JSONata.
    expect(plain.filter((expr) => /\$\w+ := function/.test(expr))).toEqual([]);
    expect(plain.some((expr) => expr.includes('$map($all, function($a, $i)'))).toBe(true);
    expect(plain).not.toContain('$splitTags(tags)');
  });

  it('answer exactly what JSONata answers, for every shipped plain expression and every kind of value', async () => {
    let compared = 0;
    for (const expr of plain) {
      const fn = plainExpression(jsonata(expr).ast())!;
      for (const value of SAMPLES)
        for (const other of ['EUR', undefined]) {
          const input = inputHolding(expr, value, other);
          const context = { currency: 'USD' };
          let answer: { value?: unknown; error?: string };
          try {
            answer = { value: fn(input, context) };
          } catch (error) {
            answer = { error: (error as Error).message };
          }
          if (answer.value === NEEDS_JSONATA) continue;
          const expected = await evaluate(expr, input, context);
          if ('error' in expected)
            expect({ expr, input, answer }).toEqual({ expr, input, answer: { error: expect.any(String) } });
          else expect({ expr, input, answer }).toEqual({ expr, input, answer: expected });
          compared++;
        }
    }
    expect(compared).toBeGreaterThan(plain.length);
  });

  it('take an item of appended lists as JSONata does: a customer’s billing address picked from its addresses', async () => {
    const billing = expressions.find((expr) => expr.includes("$append($append(addresses[kind = 'billing']"))!;
    const fn = plainExpression(jsonata(billing).ast())!;
    expect(fn).toBeDefined();
    const address = (kind: string, isDefault: boolean, city: string) => ({
      kind,
      isDefault,
      city,
      line1: city,
    });
    const customers: Record<string, unknown>[] = [
      { email: 'a@example.com' },
      { email: 'a@example.com', addresses: [] },
      {
        email: 'a@example.com',
        addresses: [address('other', false, 'Delft'), address('billing', false, 'Gouda')],
      },
      {
        email: 'a@example.com',
        addresses: [address('other', false, 'Delft'), address('other', true, 'Ede')],
      },
      { email: 'a@example.com', firstName: 'An', addresses: [address('shipping', false, 'Delft')] },
      { email: 'a@example.com', addresses: address('other', true, 'Ede') },
      { email: 'a@example.com', phone: '+31612345678', addresses: [address('billing', true, 'Ede'), {}] },
    ];
    for (const customer of customers) {
      const answer = { value: fn(customer, {}) };
      expect({ customer, answer }).toEqual({ customer, answer: await evaluate(billing, customer, {}) });
    }
    // Lists of lists are JSONata's to flatten.
    expect(fn({ addresses: [[address('billing', true, 'Ede')]] }, {})).toBe(NEEDS_JSONATA);
    for (const shape of ['$append(a, b)[1]', '$append(a[x = 1], $append(b, c))[2]'])
      for (const input of [{ a: [1, 2], b: 3, c: [4] }, { a: [{ x: 1 }, { x: 2 }], b: [], c: 'z' }, {}]) {
        const answer = { value: plainExpression(jsonata(shape).ast())!(input, {}) };
        if (answer.value !== NEEDS_JSONATA)
          expect({ shape, input, answer }).toEqual({
            shape,
            input,
            answer: await evaluate(shape, input, {}),
          });
      }
  });

  it('read products as JSONata does: the first variant by position, filtered options made into objects, counts', async () => {
    const shapes = expressions.filter((expr) =>
      ['variants[0]', 'selectedOptions[$not(', 'media[image].{', '$count(options)'].some((part) =>
        expr.includes(part),
      ),
    );
    const plainShapes = shapes.filter((expr) => plainExpression(jsonata(expr).ast()) !== undefined);
    for (const part of [
      "$fromEntries(selectedOptions[$not(name = 'Title'",
      ': variants[0].sku',
      '[media[image].{',
      "$count(options) > 0 ? 'variable'",
    ])
      expect({ part, plain: plainShapes.some((expr) => expr.includes(part)) }).toEqual({ part, plain: true });
    const variant = (sku: string, extra = {}) => ({
      sku,
      price: { amount: '10.00', currency: 'EUR' },
      selectedOptions: [
        { name: 'Size', value: sku },
        { name: 'Title', value: 'Default Title' },
      ],
      ...extra,
    });
    const products: Record<string, unknown>[] = [
      { handle: 'mug', variants: [variant('MUG', { inventoryQuantity: 3 })], options: [] },
      {
        handle: 'hoodie',
        sku: 'HOOD',
        options: [{ name: 'Size', values: ['S', 'M'] }],
        variants: [
          variant('HOOD-S', { compareAtPrice: { amount: '12.00', currency: 'EUR' } }),
          variant('HOOD-M'),
        ],
        media: [
          { alt: 'front', image: { url: 'https://cdn.example/h.png', altText: null } },
          { alt: 'video' },
        ],
      },
      {
        handle: 'one',
        variants: variant('ONE', { inventoryQuantity: null }),
        options: { name: 'Title', values: ['Default Title'] },
      },
      { handle: 'none' },
      { handle: 'nested', variants: [[variant('X')]], options: [] },
    ];
    let plainAnswers = 0;
    for (const expr of plainShapes) {
      const fn = plainExpression(jsonata(expr).ast());
      for (const product of products)
        for (const input of [product, ...[product.variants ?? []].flat()]) {
          const answer = { value: fn!(input, { currency: 'EUR' }) };
          if (answer.value === NEEDS_JSONATA) continue;
          plainAnswers++;
          expect({ expr, input, answer }).toEqual({
            expr,
            input,
            answer: await evaluate(expr, input, { currency: 'EUR' }),
          });
        }
    }
    // Most of these are answered without JSONata; a list of lists is still JSONata's.
    expect(plainAnswers).toBeGreaterThan(plainShapes.length * 4);
    expect(plainExpression(jsonata('variants[0].sku').ast())!({ variants: [[{ sku: 'X' }]] }, {})).toBe(
      NEEDS_JSONATA,
    );
  });

  it('make option lists as JSONata does: $list values in objects, $entries of a variant’s options', async () => {
    const shapes = [
      '[options[$not(name = ',
      '[attributes[variation].{',
      "[options.{ 'name': name, 'options': $list(values)",
      "'attributes': [$entries(options).{ 'name': name, 'option': value }]",
    ].map((part) => expressions.find((expr) => expr.includes(part))!);
    const eur = (amount: string) => ({ amount, currency: 'EUR' });
    // Canonical products (options lists, variants' options by name) and the platforms' own (Shopify options,
    // WooCommerce attributes), with the odd ones: one value, none, a value where a list was expected.
    const inputs: Record<string, unknown>[] = [
      {
        options: [
          { name: 'Size', values: ['S', 'M'] },
          { name: 'Color', values: ['Red'] },
        ],
        variants: [
          { sku: 'A', price: eur('1.00'), options: { Size: 'S', Color: 'Red' } },
          {
            sku: 'B',
            price: eur('2.00'),
            compareAtPrice: eur('3.00'),
            inventoryQuantity: 4,
            options: { Size: 'M' },
          },
        ],
      },
      {
        options: [{ name: 'Title', values: ['Default Title'] }],
        variants: [{ sku: 'C', price: eur('5.00'), options: {} }],
      },
      {
        options: [{ name: 'Size', values: 'S' }, { name: 'Fit' }],
        variants: [{ sku: 'D', price: eur('1.00') }],
      },
      { options: [], variants: [] },
      {
        attributes: [
          { name: 'Size', options: ['S', 'M'], variation: true },
          { name: 'Material', options: ['Wool'], variation: false },
        ],
      },
      { attributes: [{ name: 'Size', options: [], variation: true }] },
      {
        variants: [{ sku: 'E', price: eur('1.00'), options: { Size: ['S'] } }],
        options: [{ name: 'Size', values: ['S'] }],
      },
      {},
    ];
    // Each shape answers most of these without JSONata.
    for (const expr of shapes) {
      let plainAnswers = 0;
      for (const input of inputs) if (await answersAsJsonata(expr, input)) plainAnswers++;
      expect({ expr, plainAnswers: plainAnswers >= 5 }).toEqual({ expr, plainAnswers: true });
    }
  });

  it('map lists through a lambda as JSONata does: a Shopify customer’s default address found by position', async () => {
    const addresses = expressions.find((expr) => expr.includes('$map($all, function($a, $i)'))!;
    const fn = plainExpression(jsonata(addresses).ast())!;
    expect(fn).toBeDefined();
    const at = (address1: string, zip: string, extra = {}) => ({ address1, zip, city: 'Delft', ...extra });
    const customers: Record<string, unknown>[] = [
      {},
      { addresses: [] },
      { addresses: null, defaultAddress: null },
      { addresses: [at('Dam 1', '1012')], defaultAddress: at('Dam 1', '1012') },
      { addresses: [at('Dam 1', '1012'), at('Dam 1', '1012')], defaultAddress: at('Dam 1', '1012') },
      {
        addresses: [at('Dam 1', '1012'), at('Oude 2', '2611', { provinceCode: 'ZH' })],
        defaultAddress: at('Oude 2', '2611'),
      },
      { addresses: at('Dam 1', '1012', { province: 'Noord-Holland' }), defaultAddress: at('Dam 1', '1012') },
      { addresses: [at('Dam 1', '1012')], defaultAddress: at('Elders 3', '9999') },
      { addresses: [at('Dam 1', '1012')] },
    ];
    for (const customer of customers) {
      const answer = { value: fn(customer, {}) };
      expect({ customer, answer }).toEqual({ customer, answer: await evaluate(addresses, customer, {}) });
    }
    let compared = 0;
    for (const shape of [
      '[$map(a, function($v) { $v > 1 ? $v })]',
      '[$map(a, function($v, $i) { { "at": $i, "v": $v } })]',
      '$map(a, function($v, $i) { $i })[$ >= 1][0]',
      '( $x := $list(a); $map($x, function($v) { $v })[1] )',
    ])
      for (const input of [{ a: [1, 2, 3] }, { a: 5 }, { a: [] }, {}, { a: null }, { a: [[1], 2] }]) {
        const answer = { value: plainExpression(jsonata(shape).ast())!(input, {}) };
        if (answer.value === NEEDS_JSONATA) continue;
        compared++;
        expect({ shape, input, answer }).toEqual({
          shape,
          input,
          answer: await evaluate(shape, input, {}),
        });
      }
    expect(compared).toBeGreaterThan(12);
  });

  it('pick the default address, else the first, reckon dates in milliseconds and count as JSONata does: HubSpot writes', async () => {
    const city = '([addresses[isDefault], addresses])[0].city';
    expect(expressions).toContain(city);
    const at = (city: string, extra = {}) => ({ city, ...extra });
    let compared = 0;
    const same = async (expr: string, input: unknown) => {
      if (await answersAsJsonata(expr, input)) compared++;
    };
    // Without a name after it, an empty pick is an empty list in JSONata: not a plain shape.
    expect(plainExpression(jsonata('([addresses[isDefault], addresses])[0]').ast())).toBeUndefined();
    for (const addresses of [
      undefined,
      null,
      [],
      [at('Delft')],
      [at('Delft'), at('Gouda', { isDefault: true })],
      [at('Delft', { isDefault: false }), at('Gouda', { isDefault: false })],
      [at('Delft', { isDefault: true }), at('Gouda', { isDefault: true })],
      at('Delft', { isDefault: true }),
      [{ isDefault: true }, at('Gouda')],
      ['Delft'],
      [[at('Delft')]],
    ])
      for (const expr of [city, '([addresses, other])[1].city'])
        await same(expr, { addresses, other: at('Leiden') });
    for (const processedAt of [
      '2025-03-01T10:00:00Z',
      '2025-03-01T10:00:00.123Z',
      '2025-03-01T10:00:00+02:00',
      '2025-03-01T10:00:00.1234567Z',
      '2025-03-01',
      '2025-13-01T10:00:00Z',
      'yesterday',
      '',
      undefined,
      null,
      1740823200000,
    ])
      for (const expr of [
        '$string($toMillis(processedAt ? processedAt : createdAt))',
        "processedAt ? $string($toMillis(processedAt & 'T00:00:00Z'))",
      ])
        await same(expr, { processedAt, createdAt: '2024-12-31T23:59:59Z' });
    for (const contacts of [
      undefined,
      null,
      [],
      [{ destinationId: '1' }, {}, { destinationId: '2' }, { destinationId: null }],
      { destinationId: '3' },
      [{ destinationId: ['a', 'b'] }, 'text', 7],
      [[{ destinationId: 'x' }]],
      [{ destinationId: [['y']] }],
    ])
      for (const expr of ['[contacts.destinationId]', '[contacts]', '[deal.contacts.destinationId]'])
        await same(expr, { contacts, deal: { contacts } });
    for (const i of [0, 1, 41, -3, 1.5, Number.MAX_SAFE_INTEGER, '1', undefined, null])
      for (const expr of ['$i + 1', '$i - 1', '1 + $i']) await same(`( $i := n; ${expr} )`, { n: i });
    expect(compared).toBeGreaterThan(40);
  });

  it('read WooCommerce and Salesforce records as JSONata does: meta data by key, fee lines by kind, sums, tax codes, phones, split ids, prices as text', async () => {
    const meta = (key: string, value: unknown) => ({ key, value });
    let compared = 0;
    const same = async (expr: string, input: unknown) => {
      if (await answersAsJsonata(expr, input)) compared++;
    };
    for (const meta_data of [
      undefined,
      [],
      [meta('switchyard_source_number', '1001')],
      [meta('other', 'x'), meta('switchyard_source_number', '#1002'), meta('switchyard_source_number', '9')],
      [meta('switchyard_source_number', '')],
      [meta('switchyard_source_number', ['a', 'b'])],
      meta('switchyard_source_number', 7),
      [{ key: 'switchyard_source_number' }],
      ['loose'],
    ])
      for (const expr of [
        "(meta_data[key = 'switchyard_source_number'].value)[0] ? (meta_data[key = 'switchyard_source_number'].value)[0] : number",
        "$exists(meta_data[key = 'switchyard_source_number'])",
        "[meta_data[key = 'switchyard_source_number'].value]",
      ])
        await same(expr, { meta_data, number: '55' });
    const fee = (total: unknown, kind?: string) => ({
      total,
      ...(kind ? { meta_data: [meta('switchyard_kind', kind)] } : {}),
    });
    for (const fee_lines of [
      undefined,
      [],
      [fee('2.50'), fee('-1.00'), fee('0.21', 'tax'), fee('-3.00', 'discount')],
      fee('4.00'),
      [fee(3), fee(null), fee('x')],
      [{}],
    ])
      for (const expr of [
        "$dsum($append($list(line_items.subtotal), $list(fee_lines[$not($exists(meta_data[key = 'switchyard_kind'])) and $dcmp(total, '0') >= 0].total)))",
        "[fee_lines[$not($exists(meta_data[key = 'switchyard_kind']))].{ 'title': 'fee', 'quantity': 1 }]",
        "[fee_lines[meta_data[key = 'switchyard_kind' and value = 'tax']].total]",
        '[fee_lines[meta_data.value].total]',
        '$dsum([tax_total, shipping_tax_total])',
      ])
        await same(expr, {
          fee_lines,
          line_items: [{ subtotal: '10.00' }, { subtotal: '5.50' }],
          tax_total: '1.05',
          shipping_tax_total: fee_lines === undefined ? undefined : '0.50',
        });
    for (const rate_code of ['NL-BTW-1', 'BTW', '-x', '', undefined])
      await same("$contains(rate_code, '-') ? $substringBefore(rate_code, '-')", { rate_code });
    for (const phone of ['+31201234567', '06-1234 5678 (mobiel)', '+0123', '', undefined, null, 42])
      await same('phone and $contains(phone, /^\\+[1-9][0-9]{6,14}$/) ? phone', { phone });
    // One compiled pattern tested again and again (JSONata writes it global, which would remember the last match).
    const e164 = plainExpression(jsonata('$contains(phone, /^\\+[1-9][0-9]{6,14}$/)').ast())!;
    expect([1, 2, 3].map(() => e164({ phone: '+31201234567' }, {}))).toEqual([true, true, true]);
    for (const source of ['gid://x/OpportunityLineItem/00k1', '00k2', '', 'a//', undefined, 7])
      for (const expr of [
        "s ? $split(s, '/')[-1] : id",
        "$split(s, '/')[-2]",
        "$split(s, '/')[-9]",
        "$split(s, '/')[1]",
        "[$split(s, '')]",
      ])
        await same(expr, { s: source, id: 'fallback' });
    for (const rows of [
      [
        { picks: [0, 1], v: 'a' },
        { picks: [], v: 'b' },
        { picks: 1, v: 'c' },
      ],
      [{ picks: ['x', 0], v: 'd' }, { picks: [0, ''], v: 'e' }, { v: 'f' }],
    ])
      await same('[rows[picks].v]', { rows });
    for (const price of [12.5, 0.1 + 0.2, 1 / 3, 1e21, -0, 19.99, 7, true, 'x', undefined, null])
      await same('$string(price)', { price });
    // A condition true of nothing makes one object of nothing in JSONata: handed over, never guessed.
    const ofNothing = "[missing[$not($exists(x[y]))].{ 'q': 1 }]";
    expect(await evaluate(ofNothing, {}, {})).toEqual({ value: [{ q: 1 }] });
    expect(plainExpression(jsonata(ofNothing).ast())!({}, {})).toBe(NEEDS_JSONATA);
    expect(compared).toBeGreaterThan(45);
  });
});
