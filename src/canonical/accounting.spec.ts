import { dependencyOrder, entityDefinition } from './entities';
import { describeIssues } from './validation';

const eur = (amount: string) => ({ amount, currency: 'EUR' });
const ref = (entity: string, sourceId: string) => ({ entity, sourceId });

function invoice(overrides: Record<string, unknown> = {}) {
  return {
    id: 'inv-1',
    number: '  2026-0042',
    date: '2026-06-30',
    dueDate: '2026-07-30',
    customer: ref('organization', 'org-1'),
    currency: 'EUR',
    lines: [
      {
        description: 'Consulting',
        quantity: '3',
        unitPrice: eur('100.00'),
        vatCode: ref('vatCode', 'VH'),
        netAmount: eur('300.00'),
        vatAmount: eur('63.00'),
      },
      {
        description: 'Book',
        quantity: '1',
        unitPrice: eur('20.00'),
        vatCode: ref('vatCode', 'VL'),
        netAmount: eur('20.00'),
        vatAmount: eur('1.80'),
      },
    ],
    totalNet: eur('320.00'),
    totalVat: eur('64.80'),
    total: eur('384.80'),
    ...overrides,
  };
}

function problems(entity: string, record: unknown): string | null {
  const result = entityDefinition(entity).schema.safeParse(record);
  return result.success ? null : describeIssues(result.error, record);
}

describe('the accounting domain', () => {
  it('takes an invoice whose lines add up to its totals, to the cent', () => {
    expect(problems('salesInvoices', invoice())).toBeNull();
  });

  it('never recomputes VAT: lines and totals that disagree are refused with the numbers', () => {
    expect(problems('salesInvoices', invoice({ totalVat: eur('64.81'), total: eur('384.81') }))).toBe(
      "totalVat is 64.81 but the lines' VAT adds up to 64.8",
    );
    expect(problems('salesInvoices', invoice({ total: eur('384.00') }))).toBe(
      'total is 384.00 but net 320.00 plus VAT 64.80 is 384.8',
    );
    expect(problems('salesInvoices', invoice({ totalNet: eur('321.00'), total: eur('385.80') }))).toBe(
      'totalNet is 321.00 but the lines add up to 320',
    );
  });

  it('refuses money in another currency than the invoice, naming the line', () => {
    const mixed = invoice();
    mixed.lines[1].vatAmount = { amount: '1.80', currency: 'USD' };
    expect(problems('salesInvoices', mixed)).toContain(
      'line 2: vatAmount.currency ("USD") is not the invoice\'s currency, EUR',
    );
  });

  it('takes a VAT rate as a fraction and says how when it is not', () => {
    const code = { id: 'VH', code: 'VH', rate: '0.21', country: 'NL', kind: 'sales' };
    expect(problems('vatCodes', code)).toBeNull();
    expect(problems('vatCodes', { ...code, rate: '21' })).toBe(
      'rate ("21") is not a rate between 0 and 1 (21% is "0.21")',
    );
  });

  it('keeps ledger account numbers without the padding ERPs give them', () => {
    const parsed = entityDefinition('ledgerAccounts').schema.parse({
      id: 'a1',
      code: '    8000',
      name: 'Revenue',
      type: 'profitAndLoss',
    }) as { code: string };
    expect(parsed.code).toBe('8000');
  });

  it('orders a switch from its references: codes and accounts, relations and items, then what they owe', () => {
    const order = dependencyOrder([
      'openingBalances',
      'openItems',
      'salesInvoices',
      'items',
      'organizations',
      'ledgerAccounts',
      'vatCodes',
    ]);
    const before = (first: string, then: string) =>
      expect([first, then, order.indexOf(first) < order.indexOf(then)]).toEqual([first, then, true]);
    before('vatCodes', 'ledgerAccounts');
    before('ledgerAccounts', 'items');
    before('ledgerAccounts', 'openingBalances');
    before('items', 'salesInvoices');
    before('organizations', 'salesInvoices');
    before('salesInvoices', 'openItems');
    expect(order).toHaveLength(7);
  });

  it('gives an organization its roles in the books', () => {
    const organization = entityDefinition('organizations').schema.parse({
      id: 'org-1',
      name: 'Bakkerij De Vries BV',
      roles: ['customer', 'supplier'],
      debtorNumber: '10042',
      creditorNumber: '20017',
      paymentTermDays: 30,
    }) as { roles: string[] };
    expect(organization.roles).toEqual(['customer', 'supplier']);
    expect(problems('organizations', { id: 'o', name: 'X', roles: ['partner'] })).toContain('roles.0');
  });
});
