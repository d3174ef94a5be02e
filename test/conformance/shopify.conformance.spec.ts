import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { rollbackRun } from '../../src/engine/rollback';
import { reconcile } from '../../src/reconcile/reconcile';
import { type Exchange, startFaultProxy } from '../helpers/fault-proxy';
import { requestMismatches, responseMismatches } from '../helpers/graphql-conformance';
import { sqliteLedger } from '../helpers/ledger';
import { connection, plan, shopifySandbox, wooSandbox } from '../helpers/sandboxes';
import { adminSchema } from '../../connectors/shopify/sandbox/shopify-schema';
import * as Q from '../../connectors/shopify/shopify.queries';

const seed = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../examples', name), 'utf8')) as Record<string, any>;

/**
 * The connector held to Shopify's official Admin API 2025-01 schema (its introspection result): every
 * document it holds and every request it sends in real runs (reads paged and in bulk, lookups after a lost
 * ledger, writes, reconciliation, rollback) validates, deprecated fields included; every variables set
 * coerces to its declared types; every answer the sandbox gives matches the types the schema declares.
 */
describe('Shopify connector and sandbox against the official Admin API schema', () => {
  const schema = adminSchema();
  const counts = { documents: new Set<string>(), requests: 0, responses: 0, values: 0 };
  const waived = new Set<string>();
  afterAll(() => {
    process.stdout.write(
      `Shopify conformance: ${counts.documents.size} documents validated, ${counts.requests} requests ` +
        `(variables coerced), ${counts.responses} responses checked (${counts.values} values); ` +
        `deprecated with no replacement in 2025-01: ${[...waived].join(', ')}\n`,
    );
  });

  const holdToSchema = (query: string, variables?: Record<string, unknown>) => {
    counts.documents.add(query);
    const checked = requestMismatches(schema, query, variables);
    for (const field of checked.waived) waived.add(field);
    return checked.mismatches;
  };

  it('validates every document the connector holds, deprecated fields refused', () => {
    const held = Object.values(Q).flatMap((value) =>
      typeof value === 'string' ? [value] : typeof value === 'object' ? Object.values(value) : [],
    );
    for (const kind of ['customers', 'products', 'orders'] as const) {
      held.push(Q.bulkQuery(kind, '', null), Q.bulkQuery(kind, '', 'updated_at:>"2025-01-01T00:00:00Z"'));
    }
    expect(held.flatMap((query) => holdToSchema(query))).toEqual([]);
    expect(held.length).toBeGreaterThan(25);
    // The one deprecated field read: 2025-01 deprecates Customer.email for `defaultEmailAddress`, which only
    // 2025-04 adds to Customer. Any other deprecated field fails above.
    expect([...waived]).toEqual([
      'Customer.email (its replacement `defaultEmailAddress` is not in this version)',
    ]);
  });

  it('refuses a deprecated field that has its replacement, and variables of the wrong type', () => {
    expect(requestMismatches(schema, '{ customers(first: 1) { nodes { validEmailAddress } } }')).toEqual({
      mismatches: [],
      waived: ['Customer.validEmailAddress (its replacement `defaultEmailAddress` is not in this version)'],
    });
    expect(
      requestMismatches(schema, '{ products(first: 1) { nodes { totalVariants } } }').mismatches,
    ).toEqual([expect.stringMatching(/^The field Product.totalVariants is deprecated/)]);
    expect(
      requestMismatches(schema, 'query($first: Int!) { customers(first: $first) { nodes { id } } }', {
        first: 'ten',
      }).mismatches,
    ).toEqual([expect.stringContaining('Int cannot represent non-integer value: "ten"')]);
  });

  it('finds an answer that breaks the schema: missing, extra, null, mistyped', () => {
    const query = '{ customers(first: 1) { nodes { id state verifiedEmail tags } } }';
    const answer = (node: Record<string, unknown>) => ({ customers: { nodes: [node] } });
    const good = { id: 'gid://shopify/Customer/1', state: 'ENABLED', verifiedEmail: true, tags: [] };
    expect(responseMismatches(schema, query, answer(good)).mismatches).toEqual([]);
    expect(
      responseMismatches(
        schema,
        query,
        answer({ ...good, state: 'ACTIVE', verifiedEmail: null, tags: 'vip' }),
      ).mismatches,
    ).toEqual([
      'data.customers.nodes[0].state: "ACTIVE" is not a CustomerState',
      'data.customers.nodes[0].verifiedEmail: null for non-null Boolean!',
      'data.customers.nodes[0].tags: expected a list, got "vip"',
    ]);
    const { id, ...withoutId } = good;
    expect(responseMismatches(schema, query, answer({ ...withoutId, email: id })).mismatches).toEqual([
      'data.customers.nodes[0].id: missing',
      'data.customers.nodes[0].email: not requested',
    ]);
  });

  /** Every GraphQL exchange through the proxy, checked both ways; what differs is kept for the test. */
  const mismatches: string[] = [];
  const checkExchange = (exchange: Exchange) => {
    if (!exchange.path.endsWith('/graphql.json')) return;
    const { query, variables } = JSON.parse(exchange.body) as {
      query: string;
      variables?: Record<string, unknown>;
    };
    counts.requests++;
    const differ = (what: string, found: string[]) =>
      mismatches.push(...found.map((text) => `${what} of ${query.slice(0, 60).trim()}…: ${text}`));
    differ('request', holdToSchema(query, variables ?? {}));
    // A bulk operation's own query is a document the connector sends too.
    if (typeof variables?.query === 'string' && query.includes('bulkOperationRunQuery'))
      differ('bulk query', holdToSchema(variables.query));
    const answer = JSON.parse(exchange.response) as { data?: unknown; errors?: unknown };
    if (exchange.status !== 200 || answer.errors)
      differ('answer', [`${exchange.status} ${JSON.stringify(answer.errors)}`]);
    const checked = responseMismatches(schema, query, answer.data);
    differ('answer', checked.mismatches);
    counts.responses++;
    counts.values += checked.values;
  };

  it('every request of a move out of Shopify (paged, in bulk, reconciled) and every answer', async () => {
    const store = seed('shopify-seed.json');
    store.orders[0].metafields = {
      nodes: [{ namespace: 'custom', key: 'gift', value: 'Yes', type: 'single_line_text_field' }],
    };
    const shopify = await shopifySandbox(store);
    const proxy = await startFaultProxy(shopify.url, [], checkExchange);
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      for (const [name, bulkReadFrom] of [
        ['paged', 1_000_000],
        ['bulk', 0],
      ] as const) {
        const p = plan(name, connection(shopify, 'shopify', proxy.url), connection(woo, 'woocommerce'));
        p.options.bulkReadFrom = bulkReadFrom;
        const prepared = await prepareMigration(p);
        expect((await runMigration(prepared, t.ledger)).status).toBe('completed');
        expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
      }
      expect(mismatches).toEqual([]);
      expect(counts.requests).toBeGreaterThan(20);
    } finally {
      await Promise.all([proxy.close(), shopify.close(), woo.close(), t.close()]);
    }
  });

  it('every request of a move into Shopify (written, found again after a lost ledger, rolled back)', async () => {
    const woo = await wooSandbox(seed('woocommerce-seed.json'));
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const proxy = await startFaultProxy(shopify.url, [], checkExchange);
    const first = await sqliteLedger();
    const lost = await sqliteLedger();
    try {
      const p = plan(
        'into-shopify',
        connection(woo, 'woocommerce'),
        connection(shopify, 'shopify', proxy.url),
      );
      const prepared = await prepareMigration(p);
      const created = await runMigration(prepared, first.ledger);
      expect(created.status).toBe('completed');
      // A fresh ledger: every record is looked up by its source tag, email or handle before any write.
      const again = await runMigration(prepared, lost.ledger);
      expect(again.status).toBe('completed');
      expect((await reconcile(prepared, lost.ledger)).verdict).toBe('pass');
      // The run that created the records undoes them: deletes, and cancels orders first.
      const undone = await rollbackRun(prepared, first.ledger, created.runId);
      expect(undone).toMatchObject({ status: 'completed', failed: [] });
      expect(shopify.store.customers.size).toBe(0);
      expect(mismatches).toEqual([]);
    } finally {
      await Promise.all([proxy.close(), shopify.close(), woo.close(), first.close(), lost.close()]);
    }
  });
});
