import { parseUtc } from '../common/time';
import Decimal from 'decimal.js';
import { countryCode } from '../canonical/countries';
import { scalarText } from '../common/text';

/**
 * Functions every mapping expression can call. Money stays a decimal string; these helpers never
 * go through a float.
 */
export const MAPPING_FUNCTIONS: Record<string, { fn: (...args: any[]) => unknown; signature: string }> = {
  /** ISO 8601 with any offset (or none, read as UTC as WooCommerce's *_gmt fields are) → UTC `Z`. */
  toUtc: {
    fn: (value: string | undefined) => {
      if (value == null || value === '') return undefined;
      const time = parseUtc(value);
      return time === null ? value : new Date(time).toISOString().replace('.000Z', 'Z');
    },
    signature: '<s-:s>',
  },
  /** A money object from an amount and a currency; the amount is kept as text, even when invalid, so validation can name it. */
  money: {
    fn: (amount: unknown, currency: string) => {
      if (amount == null || amount === '') return undefined;
      return {
        amount: typeof amount === 'number' ? new Decimal(amount).toFixed() : scalarText(amount, ''),
        currency,
      };
    },
    signature: '<x-s:o>',
  },
  /** Exact decimal arithmetic on strings: $dsum(["1.10","2.20"]) = "3.30". */
  dsum: {
    fn: (values: unknown) => {
      const list = values == null ? [] : Array.isArray(values) ? values : [values];
      return list
        .reduce<Decimal>((acc, v) => acc.plus(new Decimal(scalarText(v, '0'))), new Decimal(0))
        .toFixed(2);
    },
    signature: '<x:s>',
  },
  /** Divides exactly and rounds to cents: a unit price from a line subtotal. */
  ddiv: {
    fn: (a: unknown, b: unknown) =>
      new Decimal(scalarText(a, '0')).div(new Decimal(scalarText(b, '1'))).toFixed(2),
    signature: '<xx:s>',
  },
  /** The amount of a money value, refusing one in another currency rather than mislabelling it. */
  inCurrency: {
    fn: (money: { amount: string; currency: string } | undefined, currency: string) => {
      if (money == null) return undefined;
      if (money.currency !== currency) {
        throw new Error(
          `amount ${money.amount} is in ${money.currency} but the destination store uses ${currency}; prices are never converted`,
        );
      }
      return money.amount;
    },
    signature: '<o-s:s>',
  },
  /** Platforms that send "" for "no value" (WooCommerce): make it null so validation sees it as absent. */
  nullIfEmpty: {
    fn: (value: unknown) => (value === '' || value === undefined ? null : value),
    signature: '<x-:x>',
  },
  dneg: { fn: (value: string) => new Decimal(value || '0').negated().toFixed(2), signature: '<s-:s>' },
  /** Multiplies two decimal strings exactly: $dmul("2.50", 3) = "7.50". */
  dmul: {
    fn: (a: unknown, b: unknown) =>
      new Decimal(scalarText(a, '0')).times(new Decimal(scalarText(b, '0'))).toFixed(2),
    signature: '<xx:s>',
  },
  /** A percentage as a rate fraction, exactly: $fromPercent(21) = "0.21". */
  fromPercent: {
    fn: (percent: unknown) => new Decimal(scalarText(percent, '0')).div(100).toFixed(),
    signature: '<x:s>',
  },
  /** Exact decimal comparison: $dcmp("10.00","10") = 0. */
  dcmp: {
    fn: (a: unknown, b: unknown) =>
      new Decimal(scalarText(a, '0')).comparedTo(new Decimal(scalarText(b, '0'))),
    signature: '<xx:n>',
  },
  /** Shopify global id from a type and a numeric id, and back. */
  gid: { fn: (type: string, id: unknown) => `gid://shopify/${type}/${String(id)}`, signature: '<sx:s>' },
  legacyId: {
    fn: (gid: string | undefined) => (gid == null ? undefined : gid.slice(gid.lastIndexOf('/') + 1)),
    signature: '<s-:s>',
  },
  /** Splits a comma separated tag string ("a, b") into a list. */
  splitTags: {
    fn: (value: string | undefined) =>
      value == null || value === ''
        ? []
        : value
            .split(',')
            .map((tag) => tag.trim())
            .filter(Boolean),
    signature: '<s-:a<s>>',
  },
  /** Turns a {key: value} object into [{name: key, value}] and back, for option lists. */
  entries: {
    fn: (value: Record<string, unknown> | undefined) =>
      value == null ? [] : Object.entries(value).map(([name, v]) => ({ name, value: v })),
    signature: '<o-:a<o>>',
  },
  fromEntries: {
    fn: (list: unknown) => {
      const items = (list == null ? [] : Array.isArray(list) ? list : [list]) as {
        name: string;
        value: unknown;
      }[];
      return Object.fromEntries(items.map((item) => [item.name, item.value]));
    },
    signature: '<x-:o>',
  },
  /** CRMs keep countries as free text: "NL", "nl" or "Netherlands" → "NL"; anything else unchanged, for validation to name. */
  countryCode: {
    fn: (value: string | undefined) => (value == null || value === '' ? null : countryCode(value)),
    signature: '<s-:s>',
  },
  /** Always an array, even for JSONata's single-value sequences. */
  list: {
    fn: (value: unknown) => (value == null ? [] : Array.isArray(value) ? value : [value]),
    signature: '<x-:a>',
  },
};
