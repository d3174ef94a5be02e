import { scalarText } from '../../../src/connectors';
import { type AfasStore, ProfitError } from './afas.store';

type Row = Record<string, any>;

/** Each standard GetConnector's rows, in the field names its official file documents. Absent values are left out. */
const CONNECTORS: Record<string, (store: AfasStore) => Row[]> = {
  Profit_Debtor: (store) =>
    [...store.debtors.values()].map((debtor) => {
      const org = store.organisations.get(scalarText(debtor.BcCo)) ?? {};
      return {
        DebtorId: debtor.DbId,
        DebtorName: org.Nm,
        BcCo: debtor.BcCo,
        SearchName: org.SeNm,
        TelNr: org.TeNr,
        Email: org.EmAd,
        VatNr: debtor.VaId ?? org.FiNr,
        ChOfCommNr: org.CcNr,
        CollectAccount: debtor.ColA,
        PayCon: debtor.PaCd,
        Blocked: debtor.Bl ?? false,
        CreditLimit: debtor.ClPm,
        CurrencyId: debtor.CuId,
        CreateDate: debtor.CreateDate,
        ModifiedDate: later(debtor.ModifiedDate, org.ModifiedDate),
      };
    }),
  Profit_Creditor: (store) =>
    [...store.creditors.values()].map((creditor) => {
      const org = store.organisations.get(scalarText(creditor.BcCo)) ?? {};
      return {
        CreditorId: creditor.CrId,
        CreditorName: org.Nm,
        BcCo: creditor.BcCo,
        SearchName: org.SeNm,
        TelNr: org.TeNr,
        Email: org.EmAd,
        'Btw-nummer': creditor.VaId,
        ChOfCommNr: org.CcNr,
        PaymentCondition: creditor.PaCd,
        Blocked: creditor.Bl ?? false,
        CreateDate: creditor.CreateDate,
        ModifiedDate: later(creditor.ModifiedDate, org.ModifiedDate),
      };
    }),
  Profit_Article: (store) =>
    [...store.articles.values()].map((article) => ({
      ItemCode: article.ItCd,
      Description: article.Ds,
      ExtraDescription: article.ExDs,
      UnitId: article.BiUn,
      ArtGroup: article.Grp,
      Blocked: article.Bl ?? false,
      Barcode: article.Ba,
      VATGroup: article.VaRc,
      CreateDate: article.CreateDate,
      ModifiedDate: article.ModifiedDate,
    })),
  Profit_Accounts: (store) => [...store.accounts.values()],
  Profit_VAT_code: (store) => [...store.vatCodes.values()],
  Profit_Debtor_Invoices: (store) => store.ledger.debtorInvoices(),
  Profit_Creditor_Invoices: (store) => store.ledger.creditorInvoices(),
  Profit_Transactions: (store) => store.ledger.transactions(),
  Profit_Period_balance: (store) => store.ledger.periodBalances(),
  Profit_Journals: (store) => [...store.ledger.journals.values()],
};

let unordered = 0;

/**
 * One page of a GetConnector: `skip`/`take` (0 and 100 by default; -1/-1 for everything), an order by
 * `orderbyfieldids` (`Field` or `-Field`, comma-separated) and a filter (`filterfieldids`, `filtervalues`, `operatortypes`).
 * Without an order Profit makes no promise: each call here starts the rows at another place.
 */
export function getConnector(store: AfasStore, id: string, query: Record<string, string>): Row {
  const source = CONNECTORS[id];
  if (!source)
    throw new ProfitError(
      500,
      `GetConnector ${id} bestaat niet of is niet geautoriseerd voor deze gebruiker.`,
    );
  let rows = source(store).map(defined);
  rows = filtered(rows, query);
  const order = query.orderbyfieldids?.trim();
  if (order) {
    // `Field` or `-Field`, several separated by commas: the first that differs decides.
    const keys = order
      .split(',')
      .map((key): [string, number] => (key.startsWith('-') ? [key.slice(1), -1] : [key, 1]));
    rows.sort((a, b) => {
      for (const [field, direction] of keys) {
        const found = direction * compare(a[field], b[field]);
        if (found !== 0) return found;
      }
      return 0;
    });
  } else if (rows.length > 0) {
    const start = unordered++ % rows.length;
    rows = [...rows.slice(start), ...rows.slice(0, start)];
  }
  const skip = query.skip === undefined ? 0 : Number(query.skip);
  const take = query.take === undefined ? 100 : Number(query.take);
  if (skip === -1 && take === -1) return { skip: -1, take: -1, rows };
  if (!Number.isInteger(skip) || !Number.isInteger(take) || skip < 0 || take < 0)
    throw new ProfitError(500, 'An unexpected error has occurred.');
  return { skip, take, rows: rows.slice(skip, skip + take) };
}

function filtered(rows: Row[], query: Record<string, string>): Row[] {
  if (!query.filterfieldids) return rows;
  const field = query.filterfieldids;
  const value = query.filtervalues ?? '';
  const operator = Number(query.operatortypes ?? 1);
  return rows.filter((row) => {
    const actual = row[field];
    const text = scalarText(actual);
    switch (operator) {
      case 1:
        return text === value;
      case 2:
        return compare(actual, value) >= 0;
      case 3:
        return compare(actual, value) <= 0;
      case 4:
        return compare(actual, value) > 0;
      case 5:
        return compare(actual, value) < 0;
      case 6:
        return text.toLowerCase().includes(value.toLowerCase());
      case 7:
        return text !== value;
      case 8:
        return text === '';
      case 9:
        return text !== '';
      case 10:
        return text.startsWith(value);
      default:
        throw new ProfitError(500, `Operator ${operator} wordt hier niet ondersteund.`);
    }
  });
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [scalarText(a), scalarText(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function later(a: unknown, b: unknown): string {
  return scalarText(a) > scalarText(b) ? scalarText(a) : scalarText(b);
}

function defined(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row).filter(([, value]) => value !== undefined && value !== null && value !== ''),
  );
}
