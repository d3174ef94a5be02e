import { getRemoteFile } from '../../../src/connectors';
import { IMAGE_UPLOAD } from './woocommerce.contract';
import { type Row, WcError } from './woocommerce.store';

/**
 * What a store does with a product's new images before it saves the product: downloads each one (as
 * `download_url` does) and refuses the product when one cannot be had. Answers are kept per URL, so a
 * store written again with the same images downloads each once.
 */
export class ImageDownloads {
  private readonly answers = new Map<string, Promise<string | null>>();

  /** The refusal for a product write, or null: the first of its new images that cannot be downloaded. */
  async refusal(product: Row): Promise<WcError | null> {
    const images = Array.isArray(product.images) ? (product.images as Row[]) : [];
    for (const image of images) {
      if (Number(image?.id) > 0 || typeof image?.src !== 'string' || image.src === '') continue;
      const problem = await this.problemOf(image.src);
      if (problem) return new WcError(IMAGE_UPLOAD.code, problem, 400);
    }
    return null;
  }

  private problemOf(src: string): Promise<string | null> {
    let answer = this.answers.get(src);
    if (!answer) {
      answer = download(src);
      this.answers.set(src, answer);
    }
    return answer;
  }
}

async function download(src: string): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return `Invalid URL ${src}.`;
  }
  try {
    const response = await getRemoteFile(url, IMAGE_UPLOAD.timeoutMs);
    if (response.statusCode !== 200)
      return IMAGE_UPLOAD.unreachable(src, response.statusMessage || String(response.statusCode));
  } catch (error) {
    return IMAGE_UPLOAD.unreachable(src, curlError(url, error));
  }
  const extension = url.pathname.split('.').pop()?.toLowerCase() ?? '';
  return (IMAGE_UPLOAD.allowedExtensions as readonly string[]).includes(extension)
    ? null
    : IMAGE_UPLOAD.notAnImage;
}

/** How WordPress (cURL) words a download that failed. */
function curlError(url: URL, error: unknown): string {
  const cause = (error as { code?: string }).code ?? '';
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  switch (cause) {
    case 'ECONNREFUSED':
      return `cURL error 7: Failed to connect to ${url.hostname} port ${port}: Connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cURL error 6: Could not resolve host: ${url.hostname}`;
    case 'ETIMEDOUT':
      return `cURL error 28: Operation timed out after ${IMAGE_UPLOAD.timeoutMs} milliseconds with 0 bytes received`;
    default:
      return `cURL error 56: ${(error as Error).message}`;
  }
}
