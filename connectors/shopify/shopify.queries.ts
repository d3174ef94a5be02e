/**
 * GraphQL documents for the Admin API 2025-01. Page sizes keep each query under the 1000-point
 * single-query cost cap: nested lists (variants, line items) are read in their own queries.
 */
const ADDRESS =
  'firstName lastName company address1 address2 city province provinceCode zip countryCodeV2 phone';
const MONEY_BAG = 'shopMoney { amount currencyCode }';

export const SHOP_QUERY = /* GraphQL */ `
  query SwitchyardShop {
    shop {
      name
      currencyCode
      plan {
        displayName
        partnerDevelopment
      }
    }
    locations(first: 1) {
      nodes {
        id
      }
    }
  }
`;

const CUSTOMER_FIELDS = `
  id legacyResourceId email firstName lastName phone note tags state verifiedEmail locale createdAt updatedAt
  addresses { ${ADDRESS} }
  defaultAddress { address1 zip countryCodeV2 }
`;

export const CUSTOMERS_QUERY = /* GraphQL */ `
  query SwitchyardCustomers($first: Int!, $after: String, $query: String) {
    customers(first: $first, after: $after, sortKey: ID, query: $query) {
      nodes { ${CUSTOMER_FIELDS} }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const PRODUCT_OWN_FIELDS = `
  id legacyResourceId title handle status vendor productType tags descriptionHtml createdAt updatedAt
  options { name position values }
`;
const MEDIA_FIELDS = '... on MediaImage { alt image { url altText } }';

const PRODUCT_FIELDS = `${PRODUCT_OWN_FIELDS} media(first: 10) { nodes { ${MEDIA_FIELDS} } }`;

export const PRODUCTS_QUERY = /* GraphQL */ `
  query SwitchyardProducts($first: Int!, $after: String, $query: String) {
    products(first: $first, after: $after, sortKey: ID, query: $query) {
      nodes { ${PRODUCT_FIELDS} }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const VARIANT_FIELDS = `
  id legacyResourceId sku title price compareAtPrice barcode inventoryQuantity taxable position updatedAt
  selectedOptions { name value }
  product { id }
`;

export const VARIANTS_QUERY = /* GraphQL */ `
  query SwitchyardVariants($first: Int!, $after: String, $query: String) {
    productVariants(first: $first, after: $after, sortKey: ID, query: $query) {
      nodes { ${VARIANT_FIELDS} }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const LINE_FIELDS = `
  id sku title quantity variantTitle
  originalUnitPriceSet { ${MONEY_BAG} }
  variant { id sku product { id } }
`;

const SHIPPING_LINE_FIELDS = `title code originalPriceSet { ${MONEY_BAG} }`;

const ORDER_OWN_FIELDS = `
  id legacyResourceId name email phone note tags currencyCode sourceIdentifier
  displayFinancialStatus displayFulfillmentStatus cancelledAt processedAt createdAt updatedAt
  customer { id }
  billingAddress { ${ADDRESS} }
  shippingAddress { ${ADDRESS} }
  subtotalPriceSet { ${MONEY_BAG} }
  totalTaxSet { ${MONEY_BAG} }
  totalShippingPriceSet { ${MONEY_BAG} }
  totalDiscountsSet { ${MONEY_BAG} }
  totalPriceSet { ${MONEY_BAG} }
  taxLines { title rate priceSet { ${MONEY_BAG} } }
`;

const ORDER_FIELDS = `${ORDER_OWN_FIELDS}
  shippingLines(first: 5) { nodes { ${SHIPPING_LINE_FIELDS} } }
  lineItems(first: 10) { nodes { ${LINE_FIELDS} } pageInfo { hasNextPage endCursor } }
`;

export const ORDERS_QUERY = /* GraphQL */ `
  query SwitchyardOrders($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, sortKey: ID, query: $query) {
      nodes { ${ORDER_FIELDS} }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const ORDER_LINES_QUERY = /* GraphQL */ `
  query SwitchyardOrderLines($id: ID!, $after: String) {
    order(id: $id) {
      lineItems(first: 100, after: $after) { nodes { ${LINE_FIELDS} } pageInfo { hasNextPage endCursor } }
    }
  }
`;

export const NODES_QUERY = /* GraphQL */ `
  query SwitchyardNodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ... on Customer { ${CUSTOMER_FIELDS} }
      ... on Product { ${PRODUCT_FIELDS} }
      ... on Order { ${ORDER_FIELDS} }
    }
  }
`;

/**
 * The query a bulk operation runs for an entity: the list query's fields, with its nested lists as whole
 * connections (no `first`, no follow-up reads). Each nested node says its `__typename`, so its JSONL line is
 * told apart from its siblings'. `extra` adds fields to the top-level node (the mappings' metafields).
 */
export function bulkQuery(kind: 'customers' | 'products' | 'orders', extra: string, search: string | null) {
  const nested = (fields: string) => `{ nodes { __typename ${fields} } }`;
  const own = {
    customers: CUSTOMER_FIELDS,
    products: `${PRODUCT_OWN_FIELDS} media ${nested(MEDIA_FIELDS)} variants ${nested(VARIANT_FIELDS)}`,
    orders: `${ORDER_OWN_FIELDS} shippingLines ${nested(SHIPPING_LINE_FIELDS)} lineItems ${nested(LINE_FIELDS)}`,
  }[kind];
  const args = `sortKey: ID${search ? `, query: ${JSON.stringify(search)}` : ''}`;
  return `{ ${kind}(${args}) { nodes { ${extra} ${own} } } }`;
}

export const BULK_RUN = /* GraphQL */ `
  mutation SwitchyardBulkRun($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const BULK_STATUS = /* GraphQL */ `
  query SwitchyardBulkStatus($id: ID!) {
    node(id: $id) {
      ... on BulkOperation {
        id
        status
        errorCode
        objectCount
        url
      }
    }
  }
`;

export const CURRENT_BULK = /* GraphQL */ `
  query SwitchyardCurrentBulk {
    currentBulkOperation {
      id
      status
      query
      createdAt
    }
  }
`;

/** Ids only: what a natural-key lookup needs. */
export const CUSTOMER_IDS_QUERY = /* GraphQL */ `
  query SwitchyardCustomerIds($first: Int!, $query: String, $after: String) {
    customers(first: $first, query: $query, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        email
        tags
      }
    }
  }
`;

export const PRODUCT_IDS_QUERY = /* GraphQL */ `
  query SwitchyardProductIds($first: Int!, $query: String, $after: String) {
    products(first: $first, query: $query, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        handle
      }
    }
  }
`;

export const ORDER_IDS_QUERY = /* GraphQL */ `
  query SwitchyardOrderIds($first: Int!, $query: String, $after: String) {
    orders(first: $first, query: $query, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        tags
      }
    }
  }
`;

/**
 * The most recently written records, newest first, without a search query: read from the shop as it is,
 * where search may lag behind writes. What a lookup after a lost reply relies on.
 */
const recentQuery = (field: string, name: string, key: string) => /* GraphQL */ `
  query SwitchyardRecent${name}($after: String) {
    page: ${field}(first: 250, after: $after, sortKey: UPDATED_AT, reverse: true) {
      nodes { id ${key} updatedAt }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const RECENT_QUERIES = {
  customers: recentQuery('customers', 'Customers', 'tags'),
  products: recentQuery('products', 'Products', 'handle'),
  orders: recentQuery('orders', 'Orders', 'tags'),
} as const;

/** A product's media as a write watches them: processed (READY), failed (FAILED, and why) or still in progress. */
const MEDIA_STATUS = 'nodes { id status mediaErrors { code details message } }';

/**
 * What a product update builds on: its variants (matched by SKU) and its first `$media` media (matched by
 * file name; asked for as many as the write sends and a few more, since each costs points).
 */
export const PRODUCT_CURRENT_QUERY = /* GraphQL */ `
  query SwitchyardProductCurrent($id: ID!, $media: Int!) {
    product(id: $id) {
      id
      variants(first: 250) {
        nodes {
          id
          sku
        }
      }
      media(first: $media) {
        nodes {
          id
          status
          ... on MediaImage {
            image {
              url
            }
          }
        }
      }
    }
  }
`;

/** The status of a product's first `$first` media: as many as a write sent. */
export const PRODUCT_MEDIA_QUERY = /* GraphQL */ `
  query SwitchyardProductMedia($id: ID!, $first: Int!) {
    product(id: $id) {
      id
      media(first: $first) { ${MEDIA_STATUS} }
    }
  }
`;

export const COUNT_QUERIES = {
  customers: 'query SwitchyardCount { count: customersCount { count precision } }',
  products: 'query SwitchyardCount { count: productsCount(limit: null) { count precision } }',
  orders: 'query SwitchyardCount { count: ordersCount(limit: null) { count precision } }',
} as const;

const USER_ERRORS = 'userErrors { field message }';

export const CUSTOMER_CREATE = /* GraphQL */ `
  mutation SwitchyardCustomerCreate($input: CustomerInput!) {
    customerCreate(input: $input) { customer { id } ${USER_ERRORS} }
  }
`;

export const CUSTOMER_UPDATE = /* GraphQL */ `
  mutation SwitchyardCustomerUpdate($input: CustomerInput!) {
    customerUpdate(input: $input) { customer { id } ${USER_ERRORS} }
  }
`;

export const PRODUCT_SET = /* GraphQL */ `
  mutation SwitchyardProductSet($input: ProductSetInput!) {
    productSet(input: $input, synchronous: true) {
      product {
        id
        variants(first: 250) {
          nodes {
            id
            sku
          }
        }
        media(first: 250) { ${MEDIA_STATUS} }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const ORDER_CREATE = /* GraphQL */ `
  mutation SwitchyardOrderCreate($order: OrderCreateOrderInput!) {
    orderCreate(
      order: $order
      options: { inventoryBehaviour: BYPASS, sendReceipt: false, sendFulfillmentReceipt: false }
    ) {
      order {
        id
        lineItems(first: 250) {
          nodes {
            id
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const ORDER_CANCEL = /* GraphQL */ `
  mutation SwitchyardOrderCancel($orderId: ID!) {
    orderCancel(orderId: $orderId, reason: OTHER, refund: false, restock: false, notifyCustomer: false) {
      job {
        id
      }
      orderCancelUserErrors {
        field
        message
        code
      }
    }
  }
`;

export const ORDER_CANCELLED_QUERY = /* GraphQL */ `
  query SwitchyardOrderCancelled($id: ID!) {
    node(id: $id) {
      ... on Order {
        cancelledAt
      }
    }
  }
`;

export const DELETE_MUTATIONS = {
  customers:
    'mutation SwitchyardDelete($id: ID!) { result: customerDelete(input: { id: $id }) { userErrors { field message } } }',
  products:
    'mutation SwitchyardDelete($id: ID!) { result: productDelete(input: { id: $id }) { userErrors { field message } } }',
  orders:
    'mutation SwitchyardDelete($id: ID!) { result: orderDelete(orderId: $id) { userErrors { field message } } }',
} as const;
