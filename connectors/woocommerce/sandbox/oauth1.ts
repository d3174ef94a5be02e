import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding, as OAuth 1.0a requires. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Verifies a one-legged OAuth 1.0a signature the way WooCommerce does: base string
 * `METHOD&url&sorted-params` (the URL without its query, port included), key `secret&`.
 */
export function verifyOauthSignature(
  method: string,
  baseUrl: string,
  params: Record<string, string>,
  consumerSecret: string,
): boolean {
  const algorithm =
    params.oauth_signature_method === 'HMAC-SHA1'
      ? 'sha1'
      : params.oauth_signature_method === 'HMAC-SHA256'
        ? 'sha256'
        : null;
  if (!algorithm || !params.oauth_signature) return false;
  const pairs = Object.entries(params)
    .filter(([key]) => key !== 'oauth_signature')
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const base = `${method.toUpperCase()}&${rfc3986(baseUrl)}&${rfc3986(pairs)}`;
  const expected = createHmac(algorithm, `${consumerSecret}&`).update(base).digest();
  const given = Buffer.from(params.oauth_signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
