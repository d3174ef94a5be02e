import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';

/**
 * A GET of a file a platform fetches by URL (a product image it is given), read to its end, as the platform's
 * own HTTP client would: node's client, since fetch refuses ports a browser would. Rejects with the socket's
 * error code (`ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT` after `timeoutMs`).
 */
export function getRemoteFile(url: URL, timeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsGet : httpGet)(url, (response) => {
      response.resume();
      response.on('end', () => resolve(response));
      response.on('error', reject);
    });
    request.setTimeout(timeoutMs, () =>
      request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
    );
    request.on('error', reject);
  });
}
