import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A 1×1 transparent PNG: what every image file a sandbox hosts holds.
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
 * Answers a GET for an image file a sandbox holds: a tiny image of the type its name says, or a 404 for a
 * name that is no image type (or `held` says the platform has no such file).
 */
export function serveImage(path: string, res: ServerResponse, held = true): void {
  const type = held ? TYPES[path.split('?')[0].split('.').pop()?.toLowerCase() ?? ''] : undefined;
  if (!type) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
    return;
  }
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': PIXEL.length }).end(PIXEL);
}

/**
 * A file host of a sandbox's own (a platform's CDN), serving every image path, so a platform that downloads
 * images (a destination given an image URL) can fetch them; its downloads are not API calls.
 */
export async function startFileHost(host: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) =>
    req.method === 'GET' ? serveImage(req.url ?? '', res) : serveImage('', res, false),
  );
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
