import { getRemoteFile } from '../../../src/connectors';
import { MEDIA_PROCESSING } from './shopify.contract';

type Row = Record<string, any>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What Shopify does with a file given by `originalSource` (MEDIA_PROCESSING): the media is answered UPLOADED
 * at once, and its source downloaded in the background; it then becomes READY, its image on the shop's CDN
 * under the source's file name, or FAILED with the media error that says why.
 */
export class MediaProcessing {
  private readonly inFlight = new Set<Promise<void>>();
  /** Where the shop's CDN serves its files (the sandbox's own CDN host). */
  cdn = 'https://cdn.shopify.com/';

  /** A new media for a file given by URL; it is processed from now on. */
  start(media: Row, source: string): Row {
    Object.assign(media, { status: 'UPLOADED', image: null, mediaErrors: [] });
    const work: Promise<void> = this.process(media, source).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
    return media;
  }

  /** Resolves once every media in flight is READY or FAILED. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async process(media: Row, source: string): Promise<void> {
    await sleep(MEDIA_PROCESSING.queuedMs);
    media.status = 'PROCESSING';
    const error = await downloadError(source);
    if (error) {
      Object.assign(media, { status: 'FAILED', mediaErrors: [error] });
      return;
    }
    const file = new URL(source).pathname.split('/').pop() ?? 'image';
    Object.assign(media, {
      status: 'READY',
      image: { url: `${this.cdn}s/files/1/0000/0001/files/${file}?v=${Date.now()}`, altText: media.alt },
    });
  }
}

async function downloadError(source: string): Promise<Row | null> {
  const failure = (details: string) => ({ ...MEDIA_PROCESSING.unreachable, details });
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return failure(`${source} is not a URL`);
  }
  try {
    const response = await getRemoteFile(url, MEDIA_PROCESSING.downloadTimeoutMs);
    if (response.statusCode !== 200) return failure(`${source} answered ${response.statusCode}`);
  } catch (error) {
    return failure(`${source} could not be reached (${(error as { code?: string }).code ?? 'error'})`);
  }
  const extension = url.pathname.split('.').pop()?.toLowerCase() ?? '';
  return (MEDIA_PROCESSING.imageExtensions as readonly string[]).includes(extension)
    ? null
    : { ...MEDIA_PROCESSING.notAnImage, details: `${source} is not an image` };
}
