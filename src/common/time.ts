/**
 * A platform's timestamp as milliseconds since the epoch: with its zone (`Z`, `+01:00`, Salesforce's
 * `+0000`), or without one, which platforms use for UTC (WooCommerce's `date_modified_gmt`). Null when it is
 * not a time.
 */
export function parseUtc(value: string): number | null {
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value)
    ? value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
    : `${value}Z`;
  const time = Date.parse(zoned);
  return isNaN(time) ? null : time;
}
