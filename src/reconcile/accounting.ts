import Decimal from 'decimal.js';
import type { AccountingFigures } from '../connectors/connector.port';
import type { PreparedMigration } from '../engine/migration.runner';

export interface AccountingLine {
  /** The ledger account's number, `receivable:<relation>` / `payable:<relation>`, or the VAT code. */
  key: string;
  source: string;
  destination: string;
  /** Destination minus source; "0.00" when equal. */
  difference: string;
}

export interface AccountingSection {
  equal: boolean;
  totals: { source: string; destination: string };
  lines: AccountingLine[];
  /** The lines that differ, each named. */
  differences: AccountingLine[];
}

/** What the accountant signs off on, source against destination, to the cent. */
export interface AccountingReconciliation {
  cutoffDate: string;
  currency: string;
  equal: boolean;
  /** Each ledger account's balance at the cut-off date (debit positive). */
  trialBalance: AccountingSection;
  /** What each customer and supplier has open (positive is owed). */
  openItems: AccountingSection;
  /** The VAT booked per VAT code. */
  vat: AccountingSection;
}

/**
 * The books compared in accounting terms, for a plan with a cut-off date between two platforms that keep books:
 * the source's as they stood before the cut-off date, the destination's including what was booked on it (the
 * opening entries). Undefined where either side keeps no books.
 */
export async function reconcileBooks(
  prepared: PreparedMigration,
): Promise<AccountingReconciliation | undefined> {
  const cutoffDate = prepared.plan.options.cutoffDate;
  const { source, destination } = prepared;
  if (!cutoffDate || !source.accounting || !destination.accounting) return undefined;
  const dayAfter = new Date(Date.parse(`${cutoffDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const [before, after] = await Promise.all([
    source.accounting(cutoffDate),
    destination.accounting(dayAfter),
  ]);
  const sections = {
    trialBalance: compare(before, after, 'trialBalance'),
    openItems: compare(before, after, 'openItems'),
    vat: compare(before, after, 'vat'),
  };
  return {
    cutoffDate,
    currency: before.currency,
    equal: Object.values(sections).every((section) => section.equal),
    ...sections,
  };
}

function compare(
  source: AccountingFigures,
  destination: AccountingFigures,
  part: 'trialBalance' | 'openItems' | 'vat',
): AccountingSection {
  const keys = [...new Set([...Object.keys(source[part]), ...Object.keys(destination[part])])].sort();
  const amount = (figures: AccountingFigures, key: string) => new Decimal(figures[part][key] ?? 0);
  const lines = keys.map((key): AccountingLine => {
    const [a, b] = [amount(source, key), amount(destination, key)];
    return { key, source: a.toFixed(2), destination: b.toFixed(2), difference: b.minus(a).toFixed(2) };
  });
  const total = (side: 'source' | 'destination') =>
    lines.reduce((sum, line) => sum.plus(line[side]), new Decimal(0)).toFixed(2);
  const differences = lines.filter((line) => !new Decimal(line.difference).isZero());
  // Books in two currencies are never equal line by line: that is a difference of its own.
  const sameCurrency = source.currency === destination.currency;
  return {
    equal: differences.length === 0 && sameCurrency,
    totals: { source: total('source'), destination: total('destination') },
    lines,
    differences: sameCurrency
      ? differences
      : [
          { key: 'currency', source: source.currency, destination: destination.currency, difference: 'n/a' },
          ...differences,
        ],
  };
}
