import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { type NativeRecord, scalarText } from '../../src/connectors';

type Row = Record<string, any>;

/** A phone in the E.164 form Shopify takes, a local number read in `country`; undefined if it is none. */
export function toE164(text: string, country?: string | null): string | undefined {
  const parsed = parsePhoneNumberFromString(text, {
    defaultCountry: (country?.toUpperCase() || undefined) as CountryCode | undefined,
  });
  return parsed?.isValid() ? parsed.number : undefined;
}

/**
 * Every phone of a customer or order in the form Shopify requires (E.164: `CustomerInput.phone` is checked
 * as a number, `MailingAddressInput.phone` is "Formatted using E.164 standard"). A local number is read in
 * its address's country (a customer's own phone in that of its first address with one). A phone that cannot
 * be read is taken off and kept in the note, with a warning that names the field: nothing the source held is
 * dropped.
 */
export function withShopifyPhones(
  kind: 'customers' | 'orders',
  payload: NativeRecord,
): { payload: NativeRecord; warnings: string[] } {
  const out: Row = { ...payload };
  const kept: string[] = [];
  const warnings: string[] = [];
  /** `path` names the field in a warning, `label` the line the note keeps. */
  const fix = (holder: Row, country: unknown, path: string, label: string) => {
    const text = scalarText(holder.phone).trim();
    if (text === '') return;
    const phone = toE164(text, scalarText(country) || undefined);
    if (phone) {
      holder.phone = phone;
      return;
    }
    delete holder.phone;
    kept.push(`${label}: ${text}`);
    const why = country ? 'E.164' : 'E.164, and no country to read it in';
    warnings.push(`${path}: "${text}" is not a phone number Shopify accepts (${why}); kept in the note`);
  };
  if (kind === 'customers') {
    const addresses = ((out.addresses as Row[] | undefined) ?? []).map((address) => ({ ...address }));
    if (out.addresses) out.addresses = addresses;
    fix(out, addresses.find((address) => address.countryCode)?.countryCode, 'phone', 'Phone');
    addresses.forEach((address, index) =>
      fix(address, address.countryCode, `addresses[${index}].phone`, `Address ${index + 1} phone`),
    );
  } else {
    for (const [field, label] of [
      ['billingAddress', 'Billing phone'],
      ['shippingAddress', 'Shipping phone'],
    ]) {
      if (!out[field]) continue;
      const address = (out[field] = { ...(out[field] as Row) });
      fix(address, address.countryCode, `${field}.phone`, label);
    }
  }
  return { payload: kept.length > 0 ? withNoteLines(out, kept) : out, warnings };
}

/**
 * A customer whose phone another Shopify customer holds (a shop keeps a phone to one customer): the phone
 * taken off and kept in the note, with the warning that says so.
 */
export function withPhoneInNote(payload: NativeRecord): { payload: NativeRecord; warning: string } {
  const { phone, ...rest } = payload;
  return {
    payload: withNoteLines(rest, [`Phone: ${scalarText(phone)}`]),
    warning: `phone: ${scalarText(phone)} is another customer's in Shopify; kept in the note`,
  };
}

/** The record with lines added to its note, after what the note held. */
function withNoteLines(record: Row, lines: string[]): Row {
  return { ...record, note: [scalarText(record.note), ...lines].filter((line) => line !== '').join('\n') };
}
