import type { Resource } from './woocommerce.store';

/**
 * What a WooCommerce store (REST API wc/v3) refuses or ignores, as data the sandbox enforces. WooCommerce has no
 * machine-readable spec: each fact names the file of WooCommerce's own source it comes from, under
 * `plugins/woocommerce/includes/rest-api/Controllers/`. A connector that passes here meets the same answers on a
 * real store.
 */
export interface Fact<T> {
  value: T;
  source: string;
}

const POSTS = 'Version3/class-wc-rest-posts-controller.php, get_collection_params';
const CUSTOMERS_V1 = 'Version1/class-wc-rest-customers-v1-controller.php';

/** `orderby` values a list accepts; any other is a 400 `rest_invalid_param` (rest_validate_request_arg). */
export const ORDERBY: Record<Resource, Fact<readonly string[]>> = {
  customers: {
    value: ['id', 'include', 'name', 'registered_date'],
    source: `${CUSTOMERS_V1}, get_collection_params`,
  },
  orders: { value: ['date', 'id', 'include', 'title', 'slug', 'modified'], source: POSTS },
  products: {
    value: ['date', 'id', 'include', 'title', 'slug', 'modified', 'price', 'popularity', 'rating'],
    source: `${POSTS}; Version3/class-wc-rest-products-controller.php, get_collection_params (price, popularity, rating)`,
  },
  // The variations controllers extend the products controllers (Version2/class-wc-rest-product-variations-v2-controller.php
  // extends WC_REST_Products_V2_Controller) and declare no orderby of their own.
  variations: {
    value: ['date', 'id', 'include', 'title', 'slug', 'modified', 'price', 'popularity', 'rating'],
    source: `${POSTS}; Version3/class-wc-rest-products-controller.php, get_collection_params (price, popularity, rating)`,
  },
};

/** `order` is `asc` or `desc`, on every list. */
export const ORDER: Fact<readonly string[]> = { value: ['asc', 'desc'], source: POSTS };

/**
 * Lists that filter by date (`after`, `before`, `modified_after`, `modified_before`). WordPress ignores a parameter
 * no controller declares: the customers list declares none, so a store answers every customer to `modified_after`.
 */
export const DATE_FILTERED: Fact<readonly Resource[]> = {
  value: ['products', 'variations', 'orders'],
  source: `Version3/class-wc-rest-crud-controller.php, prepare_objects_query (date_query); ${CUSTOMERS_V1}, get_collection_params (no date parameter)`,
};

/** The customers list's `email` filter has `format: email`: a malformed one is a 400, not an empty list. */
export const EMAIL_FILTER: Fact<string> = {
  value: 'Invalid email address.',
  source: `${CUSTOMERS_V1}, get_collection_params ('format' => 'email'); WordPress rest_validate_value_from_schema`,
};

/** A refusal: its HTTP status and message. */
export interface Answer {
  status: number;
  message: string;
}

const CRUD_UNKNOWN = (code: string) => ({
  code,
  read: { status: 404, message: 'Invalid ID.' },
  update: { status: 400, message: 'Invalid ID.' },
  delete: { status: 404, message: 'Invalid ID.' },
});

/**
 * An id the store does not hold: reading or deleting it is a 404 and updating it a 400, each with its resource's
 * code; a customer's delete is a 400 too, with its own wording.
 */
export const UNKNOWN_ID: Fact<
  Record<Resource, { code: string; read: Answer; update: Answer; delete: Answer }>
> = {
  value: {
    customers: {
      code: 'woocommerce_rest_invalid_id',
      read: { status: 404, message: 'Invalid resource ID.' },
      update: { status: 400, message: 'Invalid resource ID.' },
      delete: { status: 400, message: 'Invalid resource id.' },
    },
    products: CRUD_UNKNOWN('woocommerce_rest_product_invalid_id'),
    orders: CRUD_UNKNOWN('woocommerce_rest_shop_order_invalid_id'),
    variations: CRUD_UNKNOWN('woocommerce_rest_product_variation_invalid_id'),
  },
  source: `Version3/class-wc-rest-crud-controller.php, get_item, update_item and delete_item; ${CUSTOMERS_V1}, get_item, update_item and delete_item`,
};

/**
 * What a write of each resource sets: the fields its schema does not mark `readonly` and its
 * `prepare_object_for_database` reads. Anything else in the body (`role`, `date_created` of an order, `total`,
 * `price`, a field of another resource) is dropped, neither stored nor echoed. A customer's `username` is set on
 * create only.
 */
export const WRITABLE: Fact<Record<Resource, readonly string[]>> = {
  value: {
    customers: [
      'email',
      'first_name',
      'last_name',
      'username',
      'password',
      'billing',
      'shipping',
      'meta_data',
    ],
    products: [
      ...[
        'name',
        'slug',
        'date_created',
        'date_created_gmt',
        'type',
        'status',
        'featured',
        'catalog_visibility',
      ],
      ...['description', 'short_description', 'sku', 'global_unique_id', 'regular_price', 'sale_price'],
      ...['date_on_sale_from', 'date_on_sale_from_gmt', 'date_on_sale_to', 'date_on_sale_to_gmt', 'virtual'],
      ...['downloadable', 'downloads', 'download_limit', 'download_expiry', 'external_url', 'button_text'],
      ...['tax_status', 'tax_class', 'manage_stock', 'stock_quantity', 'stock_status', 'backorders'],
      ...[
        'low_stock_amount',
        'sold_individually',
        'weight',
        'dimensions',
        'shipping_class',
        'reviews_allowed',
      ],
      ...[
        'upsell_ids',
        'cross_sell_ids',
        'parent_id',
        'purchase_note',
        'categories',
        'tags',
        'brands',
        'images',
      ],
      ...['attributes', 'default_attributes', 'grouped_products', 'menu_order', 'post_password', 'meta_data'],
    ],
    variations: [
      ...['description', 'sku', 'global_unique_id', 'regular_price', 'sale_price', 'date_on_sale_from'],
      ...[
        'date_on_sale_from_gmt',
        'date_on_sale_to',
        'date_on_sale_to_gmt',
        'status',
        'virtual',
        'downloadable',
      ],
      ...['downloads', 'download_limit', 'download_expiry', 'tax_status', 'tax_class', 'manage_stock'],
      ...['stock_quantity', 'stock_status', 'backorders', 'low_stock_amount', 'weight', 'dimensions'],
      ...['shipping_class', 'image', 'attributes', 'menu_order', 'meta_data'],
    ],
    orders: [
      ...['parent_id', 'status', 'currency', 'customer_id', 'customer_note', 'billing', 'shipping'],
      ...['payment_method', 'payment_method_title', 'transaction_id', 'meta_data', 'line_items'],
      ...['shipping_lines', 'fee_lines', 'coupon_lines', 'set_paid'],
    ],
  },
  source: `${CUSTOMERS_V1}, create_item, update_item and update_customer_meta_fields; Version2/class-wc-rest-customers-v2-controller.php (meta_data); Version3/class-wc-rest-products-controller.php and Version3/class-wc-rest-product-variations-controller.php, get_item_schema and prepare_object_for_database; Version2/class-wc-rest-orders-v2-controller.php, get_item_schema ('readonly' => true on number, order_key, date_created, totals, date_paid, date_completed) and prepare_object_for_database`,
};

/**
 * A product's new image (`images[]` with a `src` and no attachment `id`) is downloaded by the store when the
 * product is written (`download_url`, 10 s timeout). One that cannot be downloaded, or is not an allowed image
 * type, refuses the whole product with 400 `woocommerce_product_image_upload_error`, in a batch as that item's
 * error. Sources: `Version2/class-wc-rest-products-v2-controller.php` (set_product_images →
 * `wc_rest_upload_image_from_url`, the exception's code and status), `includes/wc-rest-functions.php`
 * (`wc_rest_upload_image_from_url`: "Error getting remote image %s. Error: %s", `wc_rest_allowed_image_mime_types`),
 * and WordPress's `wp_handle_sideload` ("Sorry, you are not allowed to upload this file type."). An image given
 * with an attachment `id` is not downloaded: set_product_images uses that attachment, and refuses the product
 * with `woocommerce_product_invalid_image_id` when `wp_attachment_is_image` says it is none. An image given by
 * `src` alone is downloaded into a new attachment on every write.
 */
export const IMAGE_UPLOAD = {
  code: 'woocommerce_product_image_upload_error',
  timeoutMs: 10_000,
  allowedExtensions: ['jpg', 'jpeg', 'jpe', 'gif', 'png', 'bmp', 'tiff', 'tif', 'ico', 'webp'],
  unreachable: (src: string, reason: string) => `Error getting remote image ${src}. Error: ${reason}`,
  notAnImage: 'Invalid image: Sorry, you are not allowed to upload this file type.',
  /**
   * Where a store keeps a downloaded image: its own site's uploads folder, a folder per year and month, under
   * the image's file name made unique with `-1`, `-2`, … (wp_upload_dir, wp_unique_filename). Its `src` is that
   * URL from then on, not the URL it was given.
   */
  uploadsPath: 'wp-content/uploads/',
  /** An image given by attachment `id` reuses that attachment; an id the media library lacks refuses the product. */
  invalidId: {
    code: 'woocommerce_product_invalid_image_id',
    message: (id: number) => `#${id} is an invalid image ID.`,
  },
} as const;
