import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The host Shopify serves a shop's files from, and the seeds name. */
export const SHOPIFY_CDN = 'https://cdn.shopify.com/';

// A 1×1 transparent PNG: what any image file of the sandbox's CDN holds.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

/**
 * cdn.shopify.com for a sandbox shop: a host of its own (so its downloads are not API calls), serving every
 * image path a shop's media names, so a destination that downloads images (WooCommerce) can fetch them.
 */
export async function startCdn(host: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const extension = (req.url ?? '').split('?')[0].split('.').pop()?.toLowerCase() ?? '';
    const type = req.method === 'GET' ? TYPES[extension] : undefined;
    if (!type) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
      return;
    }
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': PIXEL.length }).end(PIXEL);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
