import Decimal from 'decimal.js';

/** Decimal sums by key, as a platform's books add up (accounting figures: per account, relation, VAT code). */
export class Totals {
  private readonly sums = new Map<string, Decimal>();

  add(key: string, amount: Decimal.Value): void {
    this.sums.set(key, (this.sums.get(key) ?? new Decimal(0)).plus(amount));
  }

  /** The sums to the cent as decimal strings; a zero is left out, as AccountingFigures asks. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(
      [...this.sums].filter(([, sum]) => !sum.isZero()).map(([key, sum]) => [key, sum.toFixed(2)]),
    );
  }
}
