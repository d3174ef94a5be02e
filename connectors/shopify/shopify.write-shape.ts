import type { NativeRecord } from '../../src/connectors';

type Row = Record<string, any>;

const list = (value: unknown): Row[] => (Array.isArray(value) ? (value as Row[]) : []);

/** A MailingAddress as read, in the MailingAddressInput shape the mutations take. */
function addressInput(address: Row | null | undefined): Row | null {
  if (!address) return null;
  return {
    firstName: address.firstName ?? null,
    lastName: address.lastName ?? null,
    company: address.company ?? null,
    address1: address.address1 ?? null,
    address2: address.address2 ?? null,
    city: address.city ?? null,
    provinceCode: address.provinceCode ?? null,
    zip: address.zip ?? null,
    countryCode: address.countryCodeV2 ?? null,
    phone: address.phone ?? null,
  };
}

const pick = (record: Row, fields: string[]) =>
  Object.fromEntries(fields.filter((field) => field in record).map((field) => [field, record[field]]));

/**
 * A customer, product or order as the connector reads it (GraphQL nodes), in the input shape its writes take
 * (CustomerInput, ProductSetInput, OrderCreateOrderInput): how the engine compares what a run wrote with what
 * the shop holds, and restores a before-image. Fields the read does not carry (an order's tax and discount
 * lines, a product's files) are left out: nothing is compared or restored there.
 */
export function shopifyWriteShape(kind: 'customers' | 'products' | 'orders', row: Row): NativeRecord {
  switch (kind) {
    case 'customers':
      return {
        ...pick(row, ['email', 'firstName', 'lastName', 'phone', 'note', 'tags']),
        addresses: list(row.addresses).map(addressInput),
      };
    case 'products':
      return {
        ...pick(row, ['handle', 'title', 'descriptionHtml', 'vendor', 'productType', 'status', 'tags']),
        productOptions: list(row.options).map((option) => ({
          name: option.name,
          values: list(option.values).map((name) => ({ name })),
        })),
        variants: list(row.variants).map((variant) => ({
          sku: variant.sku ?? null,
          price: variant.price ?? null,
          compareAtPrice: variant.compareAtPrice ?? null,
          barcode: variant.barcode ?? null,
          optionValues: list(variant.selectedOptions).map((option) => ({
            optionName: option.name,
            name: option.value,
          })),
          inventoryQuantities: [{ name: 'available', quantity: variant.inventoryQuantity ?? 0 }],
        })),
      };
    case 'orders':
      return {
        ...pick(row, ['name', 'email', 'note', 'tags', 'processedAt']),
        currency: row.currencyCode,
        financialStatus: row.displayFinancialStatus ?? null,
        fulfillmentStatus:
          row.displayFulfillmentStatus === 'UNFULFILLED' ? null : (row.displayFulfillmentStatus ?? null),
        customer: row.customer?.id ? { toAssociate: { id: row.customer.id } } : null,
        billingAddress: addressInput(row.billingAddress),
        shippingAddress: addressInput(row.shippingAddress),
        lineItems: list(row.lineItems).map((line) => ({
          title: line.title,
          sku: line.sku ?? null,
          quantity: line.quantity,
          variantId: line.variant?.id ?? null,
          priceSet: { shopMoney: line.originalUnitPriceSet?.shopMoney },
        })),
        shippingLines: list(row.shippingLines).map((line) => ({
          title: line.title,
          priceSet: { shopMoney: line.originalPriceSet?.shopMoney },
        })),
        cancelled: row.cancelledAt != null,
      };
  }
}
