/**
 * A platform's timestamp as milliseconds since the epoch: with its zone (`Z`, `+01:00`, Salesforce's
 * `+0000`), or without one, which platforms use for UTC (WooCommerce's `date_modified_gmt`). Null when it is
 * not a time. OData v2's `/Date(ms)/` is read too.
 */
export function parseUtc(value: string): number | null {
  // OData v2's `/Date(ms)/` (Exact Online, SAP).
  const odata = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  if (odata) return Number(odata[1]);
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value)
    ? value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
    : `${value}Z`;
  const time = Date.parse(zoned);
  return isNaN(time) ? null : time;
}
