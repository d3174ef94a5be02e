/**
 * What the Admin API refuses beyond what its schema says, as data with its source: the sandbox enforces each
 * fact and shopify.contract.spec.ts probes each refusal. The schema itself (types, arguments, validation) is
 * the official 2025-01 introspection (shopify-schema.ts), and test/conformance holds the connector to it.
 */

/**
 * API versions. The sandbox carries one schema, 2025-01, and serves it as the shop's oldest supported
 * version: a request for an older stable version falls forward to it, and `X-Shopify-API-Version` says which
 * version answered. A version it has no schema for (a later one, `unstable`, a malformed name) is not served.
 * Source: https://shopify.dev/docs/api/usage/versioning ("if your app uses a stable version that is no longer
 * supported, then Shopify falls forward and responds to your request with the same behaviour as the oldest
 * supported stable version"; the X-Shopify-Api-Version header "returns the API version that was used to
 * execute each API request").
 */
export const API_VERSIONS = {
  served: '2025-01',
  stable: /^\d{4}-(01|04|07|10)$/,
} as const;

/**
 * Input arrays take at most 250 items; a longer one is refused before anything runs.
 * Source: https://shopify.dev/docs/api/usage/limits ("Input arrays: maximum 250 items").
 */
export const INPUT_ARRAY_MAX = {
  items: 250,
  code: 'MAX_INPUT_SIZE_EXCEEDED',
  message: (size: number) => `The input array size of ${size} is greater than the maximum allowed of 250.`,
} as const;

/**
 * Phones. `CustomerInput.phone`: "The unique phone number for the customer."; `MailingAddressInput.phone`:
 * "Formatted using E.164 standard. For example, +16135551111." (descriptions in the 2025-01 schema). A number
 * in international form is kept as E.164; anything else is refused, and so is a customer phone another
 * customer holds.
 */
export const PHONE = {
  invalid: 'Phone is invalid',
  taken: 'Phone has already been taken',
} as const;

/**
 * Development and trial shops create at most 5 orders a minute through the API; the next is refused with
 * 429 until the minute has passed.
 * Source: https://shopify.dev/docs/api/usage/limits (resource-based limits: "a maximum of 5 new orders per
 * minute" on development and trial stores); the answer's text as shops give it (ShopifySharp issue #726,
 * shopify-api-ruby issue #899).
 */
export const DEVELOPMENT_ORDERS = {
  perMinute: 5,
  windowMs: 60_000,
  message:
    'Exceeded order API rate limit, please try again in a minute. Upgrade to a paid account to remove this limit.',
  plan: { displayName: 'Developer Preview', partnerDevelopment: true, shopifyPlus: false },
} as const;

/**
 * A product's files given by `originalSource` are processed after the mutation answers: the media is created
 * UPLOADED, then PROCESSING while Shopify downloads the source, then READY with the image on the shop's CDN
 * (under the source's file name), or FAILED with `mediaErrors`: IMAGE_DOWNLOAD_FAILURE when the source cannot be
 * downloaded, UNSUPPORTED_IMAGE_FILE_TYPE when it is not an image. A file given by `id` is that existing file,
 * not downloaded again; an id the shop does not hold is refused. Sources: the 2025-01 schema (MediaStatus,
 * MediaErrorCode, FileSetInput.id, MediaImage.mediaErrors) and https://shopify.dev/docs/apps/build/online-store/product-media
 * ("media ... is processed asynchronously"; poll the media's `status` until READY or FAILED). The wording of
 * `details` and of the unknown-id refusal is ours: Shopify documents none.
 */
export const MEDIA_PROCESSING = {
  /** How long a new media stays UPLOADED before its download starts. */
  queuedMs: 50,
  downloadTimeoutMs: 10_000,
  imageExtensions: ['jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'svg'],
  unreachable: { code: 'IMAGE_DOWNLOAD_FAILURE', message: 'Image download failure.' },
  notAnImage: { code: 'UNSUPPORTED_IMAGE_FILE_TYPE', message: 'Unsupported image file type.' },
  unknownFile: 'File does not exist',
} as const;

/**
 * `tag:` search matches the tags holding the term's words in a row, not only the tag equal to it: words are
 * runs of letters and digits, compared without case. `tag:'peas'` finds "peas" and "peas in a pod";
 * `tag:switchyard-source-12` finds "switchyard-source-12" and "switchyard-source-12-old", not
 * "switchyard-source-123". Shopify documents search as tokenized without spelling out tag matching; this is
 * the behaviour its community reports (https://community.shopify.com/t/storefront-api-can-i-exclude-results-that-are-a-partial-match/51554),
 * and it is the looser reading: a connector that holds to it holds to an exact one too.
 */
export const TAG_SEARCH = {
  field: 'tag',
  words: (text: string) =>
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word !== ''),
} as const;
