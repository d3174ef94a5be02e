import Decimal from 'decimal.js';
import type { Row } from './odata-filter';

/** What a generated administration holds; every number is a count. */
export interface AdministrationSize {
  /** The financial year its bookings fall in (January to June). */
  year?: number;
  customers?: number;
  suppliers?: number;
  items?: number;
  invoices?: number;
  /** Invoices still unpaid (a ninth of them paid in part), a few of them credit notes. */
  open?: number;
  purchaseInvoices?: number;
  purchaseOpen?: number;
  /** Changes every random choice, never the counts. */
  seed?: number;
}

/** The chart: code, description, balance type, side and Exact's account type. */
const CHART: [string, string, 'B' | 'W', 'D' | 'C', number][] = [
  ['0500', 'Eigen vermogen', 'B', 'C', 0],
  ['0999', 'Tussenrekening beginbalans', 'B', 'D', 0],
  ['1100', 'Bank', 'B', 'D', 12],
  ['1300', 'Debiteuren', 'B', 'D', 20],
  ['1500', 'Te betalen btw hoog', 'B', 'C', 24],
  ['1510', 'Te betalen btw laag', 'B', 'C', 24],
  ['1520', 'Te vorderen btw', 'B', 'D', 24],
  ['1600', 'Crediteuren', 'B', 'C', 22],
  ['4000', 'Inkoopwaarde', 'W', 'D', 111],
  ['4100', 'Huisvestingskosten', 'W', 'D', 0],
  ['8000', 'Omzet hoog', 'W', 'C', 110],
  ['8010', 'Omzet laag', 'W', 'C', 110],
  ['8020', 'Omzet ICP', 'W', 'C', 110],
  ['8030', 'Omzet export', 'W', 'C', 110],
];

/** Six VAT codes: code, description, rate, sales or purchase, the account its VAT goes to, revenue account. */
const VAT: [string, string, number, 'S' | 'P', string | null, string | null][] = [
  ['0', 'Geen btw', 0, 'S', null, '8000'],
  ['1', 'Btw laag 9%', 0.09, 'S', '1510', '8010'],
  ['2', 'Btw hoog 21%', 0.21, 'S', '1500', '8000'],
  ['3', 'ICP levering EU 0%', 0, 'S', null, '8020'],
  ['4', 'Export buiten EU 0%', 0, 'S', null, '8030'],
  ['5', 'Voorbelasting 21%', 0.21, 'P', '1520', null],
];

const guid = (kind: number, n: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const cents = (value: Decimal) => value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/**
 * A whole Exact Online administration for a sandbox seed, the same for the same numbers: a chart of accounts,
 * six VAT codes, customers (most Dutch, some in the EU and abroad) and suppliers, items, processed sales
 * invoices from January to June (a few credit notes), the bank's payments of all but the open ones, purchase
 * invoices, rent and the year's opening entry. Its figures are Exact's to compute (the sandbox books each
 * invoice); a test reads them back through the API, never from here.
 */
export function administration(
  size: AdministrationSize,
  base: Record<string, unknown> = {},
): Record<string, unknown> {
  const year = size.year ?? 2026;
  let state = (size.seed ?? 1) >>> 0 || 1;
  const random = () => {
    // mulberry32: small, seeded, good enough to spread choices.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const day = (dayOfYear: number) => new Date(Date.UTC(year, 0, 1) + dayOfYear * 86_400_000).toISOString();
  const lastDay = Math.round((Date.UTC(year, 5, 30) - Date.UTC(year, 0, 1)) / 86_400_000);

  const gl = new Map(CHART.map(([code], index) => [code, guid(1, index + 1)]));
  const GLAccounts = CHART.map(([Code, Description, BalanceType, BalanceSide, Type]) => ({
    ID: gl.get(Code),
    Code,
    Description,
    BalanceType,
    BalanceSide,
    Type,
  }));
  const VATCodes = VAT.map(([Code, Description, Percentage, kind, account], index) => ({
    ID: guid(2, index + 1),
    Code,
    Description,
    Percentage,
    VATTransactionType: kind,
    ...(account ? { [kind === 'S' ? 'GLToPay' : 'GLToClaim']: gl.get(account) } : {}),
  }));
  const revenueOf = new Map(VAT.map(([code, , , , , revenue]) => [code, revenue && gl.get(revenue)]));

  const customers = Array.from({ length: size.customers ?? 200 }, (_, index) => {
    const country = random() < 0.85 ? 'NL' : random() < 0.66 ? pick(['BE', 'DE']) : 'US';
    return {
      ID: guid(3, index + 1),
      Code: String(10001 + index),
      Name: `${pick(['Bakkerij', 'Installatie', 'Advies', 'Handel', 'Zorg', 'Bouw'])} ${pick(['De Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder'])} ${index + 1} B.V.`,
      Status: 'C',
      IsSales: true,
      IsSupplier: false,
      Country: `${country} `,
      City: pick(['Utrecht', 'Gent', 'Köln', 'Boston', 'Zwolle']),
    };
  });
  const suppliers = Array.from({ length: size.suppliers ?? 40 }, (_, index) => ({
    ID: guid(4, index + 1),
    Code: String(20001 + index),
    Name: `Leverancier ${pick(['Groothandel', 'Transport', 'Verhuur', 'Techniek'])} ${index + 1} B.V.`,
    Status: 'A',
    IsSales: false,
    IsSupplier: true,
    Country: 'NL ',
  }));
  const items = Array.from({ length: size.items ?? 300 }, (_, index) => {
    const vat = random() < 0.25 ? '1' : '2';
    return {
      ID: guid(5, index + 1),
      Code: `A${String(index + 1).padStart(4, '0')}`,
      Description: `${pick(['Koffie', 'Kabel', 'Plank', 'Lamp', 'Schroef', 'Verf', 'Boek'])} ${index + 1}`,
      StandardSalesPrice: cents(new Decimal(between(250, 40_000)).div(100)).toNumber(),
      SalesVatCode: vat,
      GLRevenue: revenueOf.get(vat),
    };
  });

  const count = size.invoices ?? 1500;
  const openCount = Math.min(size.open ?? 180, count);
  const order = Array.from({ length: count }, (_, index) => index).sort(() => random() - 0.5);
  const open = new Set(order.slice(0, openCount));
  const partial = new Set(order.slice(0, Math.floor(openCount / 9)));
  // Credit notes: four open, two refunded.
  const credits = new Set([
    ...order.slice(openCount - 4, openCount),
    ...order.slice(openCount, openCount + 2),
  ]);
  const Transactions: Row[] = [
    {
      JournalCode: '90',
      Date: day(0),
      Description: `Openingsbalans ${year}`,
      Lines: [
        { GLAccount: gl.get('1100'), AmountDC: 250_000 },
        { GLAccount: gl.get('0500'), AmountDC: -250_000 },
      ],
    },
  ];
  const bank = (
    date: number,
    glCode: string,
    amount: Decimal,
    relation: string,
    invoice: number,
    text: string,
  ) =>
    Transactions.push({
      JournalCode: '10',
      Date: day(date),
      Description: text,
      Lines: [
        { GLAccount: gl.get('1100'), AmountDC: amount.toNumber() },
        {
          GLAccount: gl.get(glCode),
          AmountDC: amount.negated().toNumber(),
          Account: relation,
          InvoiceNumber: invoice,
        },
      ],
    });
  const SalesInvoices = Array.from({ length: count }, (_, index) => {
    const customer = pick(customers);
    const country = customer.Country.trim();
    const date = between(1, lastDay - 3);
    const sign = credits.has(index) ? -1 : 1;
    let gross = new Decimal(0);
    const lines = Array.from({ length: between(1, 3) }, () => {
      const item = pick(items);
      const vat = country === 'NL' ? item.SalesVatCode : country === 'US' ? '4' : '3';
      const quantity = sign * between(1, 6);
      const net = cents(new Decimal(quantity).times(item.StandardSalesPrice));
      const rate = VAT.find(([code]) => code === vat)![2];
      gross = gross.plus(net).plus(cents(net.times(rate)));
      return {
        Item: item.ID,
        Quantity: quantity,
        NetPrice: item.StandardSalesPrice,
        VATCode: vat,
        GLAccount: revenueOf.get(vat),
      };
    });
    const number = 26_000_001 + index;
    if (!open.has(index))
      bank(between(date + 1, lastDay), '1300', gross, customer.ID, number, `Betaling ${number}`);
    else if (partial.has(index) && sign > 0)
      bank(
        between(date + 1, lastDay),
        '1300',
        cents(gross.div(2)),
        customer.ID,
        number,
        `Deelbetaling ${number}`,
      );
    return {
      InvoiceID: guid(6, index + 1),
      InvoiceNumber: number,
      InvoiceDate: day(date),
      DueDate: day(date + 30),
      OrderedBy: customer.ID,
      Journal: '70',
      Status: 50,
      Type: sign < 0 ? 8021 : 8020,
      Description: `${sign < 0 ? 'Creditnota' : 'Factuur'} ${number}`,
      SalesInvoiceLines: lines,
    };
  });

  const purchases = size.purchaseInvoices ?? 200;
  const purchaseOpen = new Set(
    Array.from({ length: purchases }, (_, index) => index)
      .sort(() => random() - 0.5)
      .slice(0, size.purchaseOpen ?? 40),
  );
  for (let index = 0; index < purchases; index++) {
    const supplier = pick(suppliers);
    const date = between(1, lastDay - 3);
    const net = cents(new Decimal(between(5_000, 500_000)).div(100));
    const vat = cents(net.times('0.21'));
    const number = 900_001 + index;
    Transactions.push({
      JournalCode: '60',
      Date: day(date),
      Description: `Inkoopfactuur ${number}`,
      Lines: [
        { GLAccount: gl.get('4000'), AmountDC: net.toNumber(), VATCode: '5' },
        { GLAccount: gl.get('1520'), AmountDC: vat.toNumber(), VATCode: '5' },
        {
          GLAccount: gl.get('1600'),
          AmountDC: net.plus(vat).negated().toNumber(),
          Account: supplier.ID,
          InvoiceNumber: number,
          DueDate: day(date + 30),
        },
      ],
    });
    if (!purchaseOpen.has(index))
      bank(
        between(date + 1, lastDay),
        '1600',
        net.plus(vat).negated(),
        supplier.ID,
        number,
        `Betaling ${number}`,
      );
  }
  for (let month = 0; month < 6; month++)
    Transactions.push({
      JournalCode: '10',
      Date: new Date(Date.UTC(year, month, 1)).toISOString(),
      Description: `Huur ${month + 1}`,
      Lines: [
        { GLAccount: gl.get('4100'), AmountDC: 2_500 },
        { GLAccount: gl.get('1100'), AmountDC: -2_500 },
      ],
    });
  // Bookings in date order, as a year's work is entered.
  Transactions.sort((a, b) => String(a.Date).localeCompare(String(b.Date)));
  return {
    division: 3141592,
    name: 'Gegenereerde Administratie B.V.',
    currency: 'EUR',
    ...base,
    GLAccounts,
    VATCodes,
    Accounts: [...customers, ...suppliers],
    Items: items,
    SalesInvoices,
    Transactions,
  };
}
